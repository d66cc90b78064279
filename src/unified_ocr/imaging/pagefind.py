"""Find a photographed page against what surrounds it (a table, a hand, a wall).

Paper is the bright, even, convex thing in a photo of a document: with the text blurred
away, the image's brightness splits in two (Otsu), and the largest bright region is the
page candidate. It is taken as a page only when it clearly is one, else the whole image is
the page and nothing is cut:

- it covers a fair share of the image (:data:`MIN_SHARE`), but is not the whole frame,
  and the frame does not cut it (:data:`MAX_CUT`): a page whose corners are out of sight
  is not guessed at (its rows are still straightened);
- it is convex, as paper lying flat is (its area against its hull's: :data:`MIN_SOLIDITY`),
  and four corners describe it (its hull against the quadrilateral's: :data:`MAX_QUAD_GAP`,
  at the rough corners or where lines along its sides meet: the smoothing rounds a narrow
  receipt's tips as much as a page's, and the rough corners on them cut off a tenth of it);
  a receipt is long and narrow, which is fine; a hand or the edge of a table is not convex
  with the page;
- it stands out from its surround (:data:`MIN_CONTRAST` grey levels between the paper and a
  ring around it), so a white page on a white table, or a scan, is not cut at a shadow.
"""

from __future__ import annotations

import cv2
import numpy as np

#: The smallest share of the image a page covers.
MIN_SHARE = 0.08
#: The page's area against its convex hull's.
MIN_SOLIDITY = 0.88
#: How much the four corners' quadrilateral may differ from the hull, as a share of its area.
MAX_QUAD_GAP = 0.08
#: The share of the page's outline that may run along the image's edge (a corner cut off).
MAX_CUT = 0.05
#: Grey levels between the paper and the ring around it.
MIN_CONTRAST = 25.0
#: Corners this close to the image's own (as a share of its diagonal) mean the page is the frame.
FRAME_MARGIN = 0.02


def gray_of(pixels: np.ndarray) -> np.ndarray:
    """One 8-bit channel of brightness."""
    if pixels.ndim == 2:
        return pixels
    if pixels.shape[2] == 1:
        return pixels[:, :, 0]
    return cv2.cvtColor(pixels, cv2.COLOR_BGRA2GRAY if pixels.shape[2] == 4 else cv2.COLOR_BGR2GRAY)


def reduced(pixels: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    """``pixels`` shrunk (never enlarged) so that the longest side is at most ``side``, and the factor."""
    h, w = pixels.shape[:2]
    factor = min(1.0, side / max(h, w))
    if factor >= 1.0:
        return pixels, 1.0
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    # the factor the sizes actually got, so that coordinates scale exactly
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA), size[0] / w


def find_page(gray: np.ndarray) -> np.ndarray | None:
    """The page's four corners (4 x 2, continuous coordinates, clockwise from the top-left),
    or ``None`` when no region clearly is a page."""
    h, w = gray.shape
    if min(h, w) < 16:
        return None
    blur_size = max(3, round(max(h, w) / 60)) | 1
    smooth = cv2.medianBlur(gray, blur_size)
    level, bright = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (blur_size, blur_size)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return None
    label = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == label).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    outline = max(contours, key=cv2.contourArea)
    area = float(cv2.contourArea(outline))  # the text on the page is holes in the region, not gaps in the page
    outline = outline.reshape(-1, 2)
    on_frame = (outline[:, 0] <= 1) | (outline[:, 1] <= 1) | (outline[:, 0] >= w - 2) | (outline[:, 1] >= h - 2)
    if on_frame.mean() > MAX_CUT:  # the frame cuts the page: its corners are not all in sight
        return None
    hull = cv2.convexHull(outline)
    hull_area = float(cv2.contourArea(hull))
    if area < MIN_SHARE * h * w:
        return None
    if hull_area <= 0 or area / hull_area < MIN_SOLIDITY:
        return None
    rough = _four_corners(hull)
    if rough is None:
        return None
    corners = _along_edges(rough, outline)
    # at the rough corners, on the region's rounded tips, or where the sides meet: a receipt's
    # tips, rounded as much as a page's, cut off a fifth of its width at the rough ones
    if min(abs(_area(rough) - hull_area), abs(_area(corners) - hull_area)) > MAX_QUAD_GAP * hull_area:
        return None
    if (corners.min(axis=0) < 2).any() or (corners.max(axis=0) > [w - 3, h - 3]).any():
        return None  # a corner on the frame's edge: cut off there, most likely, and out of sight
    corners = corners + 0.5  # pixel indexes -> continuous coordinates (pixel i spans [i, i+1))
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    if np.abs(corners - frame).max() < FRAME_MARGIN * np.hypot(w, h):
        return None
    if not _stands_out(smooth, region, blur_size):
        return None
    return corners


def _four_corners(hull: np.ndarray) -> np.ndarray | None:
    """The hull simplified to four points (at the tightest tolerance that leaves four), clockwise
    from the corner whose next side lies flattest, so that the page is turned as little as can be."""
    perimeter = cv2.arcLength(hull, True)
    for share in (0.01, 0.02, 0.03, 0.045, 0.06, 0.08, 0.1):
        approx = cv2.approxPolyDP(hull, share * perimeter, True).reshape(-1, 2).astype(np.float64)
        if len(approx) == 4:
            break
        if len(approx) < 4:
            return None
    else:
        return None
    centre = approx.mean(axis=0)
    approx = approx[np.argsort(np.arctan2(approx[:, 1] - centre[1], approx[:, 0] - centre[0]))]  # clockwise on screen

    def tilt(k: int) -> float:
        (x0, y0), (x1, y1) = approx[k], approx[(k + 1) % 4]
        return abs(np.degrees(np.arctan2(y1 - y0, x1 - x0)))  # 0 for an edge running left to right

    start = min(range(4), key=tilt)
    return np.roll(approx, -start, axis=0)


def _along_edges(corners: np.ndarray, outline: np.ndarray) -> np.ndarray:
    """The corners where lines fitted to the outline along each side meet: the simplified
    hull's corners sit on the region's rounded tips, a few pixels inside the paper's."""
    lines = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        along = b - a
        length = float(np.hypot(*along))
        if length < 8:
            return corners
        unit = along / length
        rel = outline - a
        t = rel @ unit
        off = np.abs(rel[:, 0] * unit[1] - rel[:, 1] * unit[0])
        near = (t > 0.15 * length) & (t < 0.85 * length) & (off < max(2.0, 0.03 * length))
        if near.sum() < 5:
            return corners
        vx, vy, x0, y0 = cv2.fitLine(outline[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
        lines.append((np.array([x0, y0], np.float64), np.array([vx, vy], np.float64)))
    refined = []
    for k in range(4):
        (p, u), (q, v) = lines[k - 1], lines[k]  # the sides that meet at corner k
        det = u[0] * -v[1] + v[0] * u[1]
        if abs(det) < 1e-6:
            return corners
        s = ((q - p)[0] * -v[1] + v[0] * (q - p)[1]) / det
        refined.append(p + s * u)
    refined_arr = np.array(refined)
    # trust the fit only near the rough corners (a few per cent of the page's size)
    if np.abs(refined_arr - corners).max() > 0.05 * max(np.ptp(corners, axis=0)):
        return corners
    return refined_arr


def _area(corners: np.ndarray) -> float:
    x, y = corners[:, 0], corners[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _stands_out(smooth: np.ndarray, region: np.ndarray, size: int) -> bool:
    """Whether the region is brighter than a ring around it by :data:`MIN_CONTRAST` grey levels."""
    shape = cv2.getStructuringElement(cv2.MORPH_RECT, (3 * size, 3 * size))  # separable: fast
    inside = cv2.erode(region, shape).astype(bool)
    ring = cv2.dilate(region, shape).astype(bool) & ~region.astype(bool)
    if inside.sum() < 16 or ring.sum() < 16:
        return False
    return float(np.median(smooth[inside])) - float(np.median(smooth[ring])) >= MIN_CONTRAST
