"""Run figures travel beside results (outcomes, records), never inside saved results; engines
live as long as the run that made them."""

from __future__ import annotations

import json
import pickle

import pytest

import unified_ocr
from unified_ocr import Secret
from unified_ocr.api import recognize_recorded
from unified_ocr.batch import recognize_many
from unified_ocr.cache import ResultCache
from unified_ocr.config.choice import choose_engine
from unified_ocr.emulator import Faults
from unified_ocr.engines.calls import CallRecord
from unified_ocr.engines.scope import EngineScope, shared_scope
from unified_ocr_clova import ClovaEmulator, ClovaEngine, ClovaOptions

from .test_runner import make_images

KEY = "records-s3cret"


def options(server: ClovaEmulator, **kw) -> ClovaOptions:
    kw = {"retries": 5, "backoff": 0.01, "max_backoff": 0.02, **kw}
    return ClovaOptions(invoke_url=server.url + "/general", secret=Secret.of(KEY), **kw)


def test_a_saved_result_holds_no_run_figures_and_the_outcome_carries_them(tmp_path) -> None:
    images = make_images(tmp_path / "in", 6)
    cache = ResultCache(tmp_path / "cache")
    with ClovaEmulator(key=KEY, canned=True, faults=Faults(throttle_rate=0.5, seed=3)) as server:
        first = list(recognize_many(map(str, images), options(server), cache=cache))
        requests = server.stats["requests"]
        again = list(recognize_many(map(str, images), options(server), cache=cache))
        assert server.stats["requests"] == requests  # answered from the cache
    assert all(o.ok and not o.cached for o in first)
    assert sum(o.record.attempts for o in first) == requests and max(o.attempts for o in first) > 1  # retries counted
    for outcome in first:
        assert outcome.record.bytes_sent == outcome.record.attempts * (tmp_path / "in" / outcome.source.rsplit("/", 1)[1]).stat().st_size
        assert outcome.record.upload_sizes == ((48, 16),) and outcome.seconds > 0
        saved = json.dumps(outcome.result.to_dict())
        assert set(outcome.result.meta) == {"clova", "source", "profile"}
        assert '"attempts"' not in saved and '"seconds"' not in saved and '"cached"' not in saved
    assert all(o.ok and o.cached and o.attempts == 0 and o.record.bytes_sent == 0 for o in again)
    by_source = {o.source: o.result for o in first}
    assert all(o.result == by_source[o.source] for o in again)  # equal results, whatever the run cost


def test_a_failed_call_records_what_it_cost(tmp_path) -> None:
    (image,) = make_images(tmp_path / "in", 1)
    with ClovaEmulator(key=KEY, canned=True, faults=Faults(error_rate=1.0)) as server:
        (outcome,) = recognize_many([str(image)], options(server, retries=2), cache=False, rounds=0)
        assert not outcome.ok and outcome.attempts == 3 == server.stats["requests"]
        (bad,) = recognize_many([str(tmp_path / "missing.png")], options(server), cache=False)
    assert outcome.record.bytes_sent == 3 * image.stat().st_size
    assert bad.record == CallRecord(0, bad.seconds)  # refused before any call


def test_a_cache_entry_of_0_1_with_run_figures_in_meta_is_read_without_them(tmp_path) -> None:
    (image,) = make_images(tmp_path / "in", 1)
    cache = ResultCache(tmp_path / "cache")
    with ClovaEmulator(key=KEY, canned=True) as server:
        result, record = recognize_recorded(image, options(server), cache=cache)
        (entry,) = (tmp_path / "cache").rglob("*.json")
        old = json.loads(entry.read_text())
        old["meta"].update(attempts=4, seconds=9.9, cached=False)
        entry.write_text(json.dumps(old))
        hit, hit_record = recognize_recorded(image, options(server), cache=cache)
    assert hit_record.cached and not record.cached and hit == result
    assert not {"attempts", "seconds", "cached"} & set(hit.meta)


def test_outcomes_come_in_input_order_when_asked(tmp_path) -> None:
    images = make_images(tmp_path / "in", 12)
    with ClovaEmulator(key=KEY, canned=True, faults=Faults(latency=0.01)) as server:
        outcomes = list(recognize_many(map(str, images), options(server), concurrency=4, cache=False, ordered=True))
    assert [o.source for o in outcomes] == list(map(str, images))


class Closing(ClovaEngine):
    closed: list[ClovaOptions] = []

    def close(self) -> None:
        super().close()
        Closing.closed.append(self.options)


def test_a_run_closes_the_engines_it_made_and_a_given_scope_stays_open(tmp_path) -> None:
    images = make_images(tmp_path / "in", 3)
    with ClovaEmulator(key=KEY, canned=True) as server:
        opts = options(server)
        choice = choose_engine(opts)
        choice = type(choice)(choice.label, Closing, opts)
        Closing.closed.clear()
        assert all(o.ok for o in recognize_many(map(str, images), choice, cache=False))
        assert Closing.closed == [opts]  # the run's own scope closed it
        with EngineScope() as scope:
            list(recognize_many(map(str, images), choice, cache=False, scope=scope))
            list(recognize_many(map(str, images), choice, cache=False, scope=scope))
            assert len(scope) == 1 and Closing.closed == [opts]  # one engine for both runs, still open
        assert Closing.closed == [opts, opts] and len(scope) == 0
    with pytest.raises(RuntimeError, match="closed"):
        scope.get(choice)


def test_a_scope_sent_to_another_process_is_that_process_s_shared_scope() -> None:
    with EngineScope() as scope:
        assert pickle.loads(pickle.dumps(scope)) is shared_scope()


def test_recognize_many_is_exported_from_the_package() -> None:
    assert unified_ocr.recognize_many is recognize_many
