"""Detection formats: whole pages with every region's quad and text (``###``: do not care)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...files import json_text
from ...geometry import Quad
from ..records import CropRecord
from .base import DatasetWriter, JsonIndexWriter, PageImage, append_text, write_atomic


def _pages(out: Path, records: Sequence[CropRecord]) -> list[PageImage]:
    """The pages a manifest names, with their regions, in writing order (a resumed run)."""
    from PIL import Image

    pages: dict[str, list[CropRecord]] = {}
    for record in records:
        pages.setdefault(record.file, []).append(record)
    out_pages = []
    for file, group in pages.items():
        with Image.open(out / file) as image:  # the header only: the size the JSON index records
            width, height = image.size
        out_pages.append(PageImage(file, group[0].split, group[0].index, b"", width, height, tuple((r.quad, r.label) for r in group)))
    return out_pages


def _points(quad: Quad) -> list[list[float]]:
    return [[round(x, 2), round(y, 2)] for x, y in quad.points]


class PaddleDetWriter(DatasetWriter):
    """PaddleOCR detection: ``DIR/det_gt_<split>.txt`` with ``path<TAB>[{"transcription", "points"}]``."""

    name = "paddleocr-det"
    description = 'PaddleOCR detection: DIR/det_gt_<split>.txt (path<TAB>[{"transcription", "points"}]), do not care as ###'
    kind = "det"

    def line(self, page: PageImage) -> str:
        labels = [{"transcription": text, "points": _points(quad)} for quad, text in page.regions]
        return f"{page.file}\t{json_text(labels)}\n"

    def add_page(self, page: PageImage) -> None:
        append_text(self.out / f"det_gt_{page.split}.txt", self.line(page))

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        for split, group in self.rebuilt_splits(records, lambda split: (self.out / f"det_gt_{split}.txt").is_file()).items():
            write_atomic(self.out / f"det_gt_{split}.txt", "".join(map(self.line, _pages(self.out, group))))


class MmocrDetWriter(JsonIndexWriter):
    """MMOCR 1.x text detection: ``DIR/textdet_<split>.json`` (``polygon``, ``bbox``,
    ``bbox_label`` 0, ``ignore`` for do not care)."""

    name = "mmocr-det"
    description = "MMOCR 1.x: DIR/textdet_<split>.json and DIR/images/<split>/"
    kind = "det"

    def page_entry(self, page: PageImage) -> Any:
        instances = []
        for quad, text in page.regions:
            x0, y0, x1, y1 = quad.bbox()
            instances.append({"polygon": [v for p in _points(quad) for v in p], "bbox": [round(v, 2) for v in (x0, y0, x1, y1)],
                              "bbox_label": 0, "ignore": text == "###"})  # fmt: skip
        return {"img_path": page.file, "height": page.height, "width": page.width, "instances": instances}

    def document(self, split: str, entries: list[Any]) -> Any:
        meta = {"dataset_type": "TextDetDataset", "task_name": "textdet", "category": [{"id": 0, "name": "text"}]}
        return {"metainfo": meta, "data_list": entries}

    def path(self, split: str) -> Path:
        return self.out / f"textdet_{split}.json"

    def add_page(self, page: PageImage) -> None:
        self.entries.setdefault(page.split, []).append(self.page_entry(page))

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        by_split = self.rebuilt_splits(records, lambda split: self.path(split).is_file())
        self.entries = {split: [self.page_entry(page) for page in _pages(self.out, group)] for split, group in by_split.items()}
        self.flush()


class IcdarWriter(DatasetWriter):
    """ICDAR 2015 style, for detection trainers: ``DIR/<split>/images/img_N.<ext>`` and
    ``DIR/<split>/gt/gt_img_N.txt`` with ``x1,y1,...,x4,y4,text`` (whole pixels)."""

    name = "icdar"
    description = "ICDAR 2015 style: DIR/<split>/images/img_N and DIR/<split>/gt/gt_img_N.txt, ### = do not care"
    kind = "det"
    breaks = "\n\r"

    def image_file(self, split: str, index: int, ext: str) -> str:
        return f"{split}/images/img_{index}{ext}"

    def add_page(self, page: PageImage) -> None:
        lines = "".join(",".join(str(round(v)) for p in quad.points for v in p) + f",{text}\n" for quad, text in page.regions)
        write_atomic(self.out / page.split / "gt" / f"gt_img_{page.index}.txt", lines)

    def rebuild(self, records: Sequence[CropRecord]) -> None:
        """Each page's ground truth rewritten; a page a kill left past the manifest (its image and
        its ground truth) removed, so that a trainer walking the folder finds only the manifest's."""
        for split, group in self.rebuilt_splits(records, lambda split: (self.out / split).is_dir()).items():
            pages = _pages(self.out, group)
            for page in pages:
                self.add_page(page)
            kept = {page.index for page in pages}
            for path in [*(self.out / split / "gt").glob("gt_img_*.txt"), *(self.out / split / "images").glob("img_*.*")]:
                number = path.stem.removeprefix("gt_").removeprefix("img_")
                if number.isdigit() and int(number) not in kept:
                    path.unlink()
