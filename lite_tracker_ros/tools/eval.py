# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
``lite-tracker eval MODEL [MODEL...]``: one-pass evaluation on folders of tracking sequences.

Writes, under ``--out``: one result file per model/backend/sequence (``<model>__<backend>/``,
read back instead of tracking again on a later run: the evaluation resumes), ``results.json``
(every score, curve and the command), ``results.md`` (summary and per-sequence tables, also
printed), and ``success.png``, ``precision.png``, ``norm_precision.png``. Progress goes to stderr.
``--long-term`` evaluates each model twice, with the long-term mode off and on (both curves in
the plots); ``--stress`` adds the stress protocol of
:mod:`~lite_tracker_ros.evaluation.stress` (``stress.md``, ``stress.json``, example strips).
"""

from __future__ import annotations

import io
from pathlib import Path
import shlex
import sys

from lite_tracker_ros.evaluation.progress import ProgressBar
from lite_tracker_ros.evaluation.sequences import discover_sequences, SequenceError
from lite_tracker_ros.evaluation.weights_option import (
    add_model_arguments, backend_list, weights_per_model)


def add_arguments(parser) -> None:
    add_model_arguments(parser)
    parser.add_argument('--data', type=Path, required=True,
                        help='folder of sequences (OTB, GOT-10k or LaSOT layout) or one sequence')
    parser.add_argument('--out', type=Path, default=Path('out/eval'), help='output folder')
    parser.add_argument('--sequences', default='', help='comma-separated names (default: all)')
    parser.add_argument('--max-frames', type=int, default=0,
                        help='track only the first N frames of each sequence (0: all)')
    parser.add_argument('--threads', type=int, default=0,
                        help='CPU threads for the backend (0: its default)')
    parser.add_argument('--quiet', action='store_true', help='no progress bar')
    parser.add_argument('--long-term', action='store_true',
                        help='evaluate each model with the long-term mode off and on')
    parser.add_argument('--stress', action='store_true',
                        help='also run the long-term stress protocol (hidden-target events and '
                             'jump cuts) -> stress.md, stress.json, strip_hidden.png, '
                             'strip_cut.png')


def _command(args) -> str:
    words = ['lite-tracker', 'eval', *args.models, '--backend', args.backend,
             '--data', str(args.data), '--out', str(args.out)]
    if args.device != 'cpu':
        words += ['--device', args.device]
    for value in args.weights or ():
        words += ['--weights', value]
    if args.sequences:
        words += ['--sequences', args.sequences]
    if args.max_frames:
        words += ['--max-frames', str(args.max_frames)]
    if args.threads:
        words += ['--threads', str(args.threads)]
    words += [flag for flag, on in (('--long-term', args.long_term), ('--stress', args.stress))
              if on]
    return shlex.join(words)


def _tracker_maker(model: str, backend: str, weights: Path | None, args, variant: str = ''):
    def make():
        from lite_tracker_ros.factory import create_tracker
        return create_tracker(model, backend=backend, device=args.device, weights=weights,
                              num_threads=args.threads, long_term=variant == 'long_term')
    return make


def _stress(keys, sequences, weights, args) -> str:
    """Run the stress protocol for every key; write its files; return its table."""
    import json

    from lite_tracker_ros.evaluation import stress_report

    planned = stress_report.plan_sequences(sequences)
    runs = []
    for key in keys:
        tracker = _tracker_maker(key.model, key.backend, weights[key.model], args, key.variant)()
        runs.append(stress_report.run_protocol(key.label, tracker, planned))
    table = stress_report.markdown(runs)
    command = _command(args)
    (args.out / 'stress.md').write_text(f'Command: `{command}`\n\n{table}')
    data = stress_report.results_json(runs)
    data['command'] = command
    (args.out / 'stress.json').write_text(json.dumps(data, indent=1))
    by_name = {s.name: s for s in sequences}
    stress_report.write_strips(runs[-1], by_name, args.out)
    return table


def run(args) -> int:
    import json

    from lite_tracker_ros.evaluation.plots import write_plots
    from lite_tracker_ros.evaluation.report import markdown, results_json, summarise
    from lite_tracker_ros.evaluation.runner import RunKey, run_sequences, source_fingerprint
    from lite_tracker_ros.factory import TrackerCreationError

    try:
        weights = weights_per_model(args.weights, args.models)
    except ValueError as error:
        print(f'lite-tracker eval: {error}', file=sys.stderr)
        return 2
    names = [n.strip() for n in args.sequences.split(',') if n.strip()]
    try:
        sequences = discover_sequences(args.data, names or None)
        groundtruth = [s.groundtruth() for s in sequences]
    except SequenceError as error:
        print(f'lite-tracker eval: {error}', file=sys.stderr)
        return 2
    backends = backend_list(args.backend)
    variants = ('', 'long_term') if args.long_term else ('',)
    code = source_fingerprint()
    keys = [RunKey(m, b, str(weights[m].resolve()) if weights[m] else '', max(args.max_frames, 0),
                   v, code)
            for m in args.models for b in backends for v in variants]
    progress = ProgressBar(sum(k.frames_of(s) for k in keys for s in sequences),
                           stream=io.StringIO() if args.quiet else sys.stderr)
    summaries, failed = [], []
    for key in keys:
        done_before = progress.done
        try:
            runs = run_sequences(
                key, sequences, args.out,
                _tracker_maker(key.model, key.backend, weights[key.model], args, key.variant),
                on_frame=progress.advance,
                on_start=lambda s, key=key: progress.set_label(f'{key.label} {s.name}'))
        except (TrackerCreationError, SequenceError) as error:
            failed.append(f'{key.label}: {error}')
            progress.done = done_before
            progress.advance(sum(key.frames_of(s) for s in sequences))
            continue
        summaries.append(summarise(key, runs, groundtruth))
    progress.close()
    for message in failed:
        print(f'lite-tracker eval: {message}', file=sys.stderr)
    if not summaries:
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    table = markdown(summaries)
    command = _command(args)
    (args.out / 'results.md').write_text(f'Command: `{command}`\n\n{table}')
    (args.out / 'results.json').write_text(
        json.dumps(results_json(summaries, str(args.data), command), indent=1))
    write_plots({s.key.label: s.mean for s in summaries}, args.out, title=args.data.name)
    print(table, end='')
    print(f'results: {args.out}/results.json, results.md, success.png, precision.png, '
          'norm_precision.png')
    if args.stress:
        done = [k for k in keys if k.label in {s.key.label for s in summaries}]
        print(_stress(done, sequences, weights, args), end='')
        print(f'stress: {args.out}/stress.md, stress.json, strip_hidden.png, strip_cut.png')
    return 1 if failed else 0
