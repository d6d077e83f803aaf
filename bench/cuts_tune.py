"""Fast iteration on the detector's rules, on the TUNE part of the constructed set only.

    python bench/cuts_tune.py            per-kind table of auto / fast / neural on the tune part
    python bench/cuts_tune.py --misses   also list every missed truth and false boundary of auto

Each clip's features and its whole-clip TransNetV2 scores are computed once and cached in
``.cache/cuts_protocol/tune/*.cache.npz``; ``neural.predict`` is then served from that cache for
whatever windows the cascade asks for (the grid makes a window's scores the same whichever others
run), so a rule change is measured in seconds instead of minutes.

This script refuses the report part on purpose: rules are fitted here, the figure that counts is
``bench/cuts.py --protocol`` on the report part, run after the rules are frozen.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ai_engine.cuts import neural  # noqa: E402

TUNE = "tune"


def _cached(clip: Path):  # type: ignore[no-untyped-def]
    from ai_engine.cuts.features import extract_features

    store = clip.with_suffix(".cache.pkl")
    if store.exists():
        return pickle.loads(store.read_bytes())
    features = extract_features(clip)
    single, many = neural.predict(features.thumbs)
    store.write_bytes(pickle.dumps((features, single, many)))
    return features, single, many


def main() -> None:
    from cuts import OURS, MethodTally, _print_tallies, _protocol_truths, _tally_clip
    from cuts_data import KINDS, NEGATIVES, build_part

    from ai_engine.cuts.detect import detect_from_features
    from ai_engine.cuts.evaluate import match_boundaries

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()

    truth_path = build_part(TUNE)
    truth = json.loads(truth_path.read_text())
    tallies = {m: MethodTally() for m in OURS}
    real_predict = neural.predict
    calls = {"windows": 0, "all": 0}
    for clip, entry in truth.items():
        features, single, many = _cached(truth_path.parent / clip)

        def served(thumbs, windows=None, *, single=single, many=many, **_kw):  # type: ignore[no-untyped-def]
            count = len(thumbs)
            if windows is None:
                windows = list(range((count - 1) // neural.STEP + 1))
            s = np.full(count, np.nan, np.float32)
            m = np.full(count, np.nan, np.float32)
            for k in windows:
                part = slice(k * neural.STEP, min(count, (k + 1) * neural.STEP))
                s[part], m[part] = single[part], many[part]
            calls["windows"] += len(windows)
            return s, m

        neural.predict = served
        try:
            for method in OURS:
                before = calls["windows"]
                cuts = detect_from_features(features, method).cut_list.cuts
                if method == "auto":
                    calls["all"] += (features.frame_count - 1) // neural.STEP + 1
                    auto_windows = calls["windows"] - before
                    calls["auto"] = calls.get("auto", 0) + auto_windows
                _tally_clip(tallies[method], clip, entry, cuts)
                if args.misses and method == "auto":
                    truths, made = _protocol_truths(entry)
                    by_frame = sorted(cuts, key=lambda c: c.frame)
                    matching = match_boundaries([c.frame for c in by_frame], truths)
                    hit = {ti for _, ti in matching.pairs}
                    used = {fi for fi, _ in matching.pairs}
                    for ti, (t, kind) in enumerate(zip(truths, made, strict=True)):
                        if ti not in hit:
                            detail = entry["transitions"][ti]["detail"]
                            print(f"  {clip} MISSED {kind:11s} {t.start}-{t.end} ({detail})")
                    for fi, c in enumerate(by_frame):
                        if fi not in used:
                            print(f"  {clip} FALSE  {c.kind:11s} {c.frame} [{c.start}-{c.end}] {c.score:.2f}")
            if args.misses:
                print(f"  {clip}: auto ran {auto_windows} network windows")
        finally:
            neural.predict = real_predict
    print("Constructed set, TUNE part (rules fitted here)")
    _print_tallies(tallies, KINDS, NEGATIVES)
    print(f"    auto ran {calls.get('auto', 0)} of {calls['all']} network windows")


if __name__ == "__main__":
    main()
