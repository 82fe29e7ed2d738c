# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
Fuzzing the loader with mutated valid checkpoints.

Each mutated file gives a one-line CheckpointError or a strict-loaded, finite model, and nothing
else, within bounded time and memory per case.

Seeded and bounded (``CASES`` files); all cases load in one child process whose address space is
capped (``hostile_checkpoints.load_in_child``).
"""

import random
import struct
import zipfile

from hostile_checkpoints import (CENTRAL_FIELDS, central_records, entries, load_in_child,
                                 rewrite, save_tiny, tiny_network)
import safetensors.torch

SEED = 20261129
CASES = 200
LIMIT_MB = 384
_LOCAL_FIELDS = {'flags': (6, '<H'), 'method': (8, '<H'), 'crc': (14, '<I'),
                 'compress_size': (18, '<I'), 'file_size': (22, '<I'),
                 'name_length': (26, '<H'), 'extra_length': (28, '<H')}
_EOCD_FIELDS = {'entries_here': (8, '<H'), 'entries': (10, '<H'), 'size': (12, '<I'),
                'offset': (16, '<I')}


def _value(rng, fmt, old):
    top = 0xFFFF if fmt == '<H' else 0xFFFFFFFF
    return min(top, max(0, rng.choice([0, 1, top, rng.randrange(top + 1),
                                       old + rng.randint(-64, 64), old * 1000])))


def _patch(blob, rng, at, fields):
    field = rng.choice(sorted(fields))
    offset, fmt = fields[field]
    old, = struct.unpack_from(fmt, blob, at + offset)
    struct.pack_into(fmt, blob, at + offset, _value(rng, fmt, old))


def _flip(blob, rng, count):
    for _ in range(count):
        blob[rng.randrange(len(blob))] ^= 1 << rng.randrange(8)


def _zip_mutation(kind, valid, rng, tmp_path):
    blob = bytearray(valid.read_bytes())
    if kind == 'flip':
        _flip(blob, rng, rng.randint(1, 8))
    elif kind == 'truncate':
        del blob[rng.randrange(len(blob)):]
    elif kind == 'central':
        _patch(blob, rng, rng.choice(list(central_records(bytes(blob)).values())),
               CENTRAL_FIELDS)
    elif kind == 'local':
        starts = [i for i in range(len(blob)) if blob.startswith(b'PK\x03\x04', i)]
        _patch(blob, rng, rng.choice(starts), _LOCAL_FIELDS)
    elif kind == 'eocd':
        _patch(blob, rng, blob.rfind(b'PK\x05\x06'), _EOCD_FIELDS)
    else:  # 'pickle' or 'storage': content edits behind valid CRCs
        names = list(entries(valid))
        target = rng.choice([n for n in names if (n.endswith('data.pkl') if kind == 'pickle'
                                                  else '/data/' in n)])

        def edit(name, data):
            if name != target or not data:
                return data
            data = bytearray(data)
            if kind == 'storage':  # a whole random float32 word: NaN, inf, huge or fine
                at = rng.randrange(len(data) // 4) * 4
                data[at:at + 4] = rng.randbytes(4)
            elif rng.random() < 0.5:
                _flip(data, rng, rng.randint(1, 4))
            else:
                at = rng.randrange(len(data))
                data[at:at + rng.randint(1, 8)] = rng.randbytes(rng.randint(0, 8))
            return bytes(data)
        return rewrite(valid, tmp_path / f'{kind}_{rng.random():.12f}.pth', edit)
    out = tmp_path / f'{kind}_{rng.random():.12f}.pth'
    out.write_bytes(bytes(blob))
    return out


def _safetensors_mutation(valid, rng, tmp_path):
    blob = bytearray(valid.read_bytes())
    choice = rng.randrange(3)
    if choice == 0:
        _flip(blob, rng, rng.randint(1, 8))
    elif choice == 1:
        del blob[rng.randrange(len(blob)):]
    else:
        struct.pack_into('<Q', blob, 0, _value(rng, '<I', struct.unpack_from('<Q', blob)[0]))
    out = tmp_path / f'st_{rng.random():.12f}.safetensors'
    out.write_bytes(bytes(blob))
    return out


def test_mutated_checkpoints_fail_cleanly_or_load_finite(tmp_path):
    rng = random.Random(SEED)
    valid = save_tiny(tmp_path / 'valid.pth')
    deflated = rewrite(valid, tmp_path / 'valid_deflated.pth', lambda n, d: d,
                       zipfile.ZIP_DEFLATED)
    valid_st = tmp_path / 'valid.safetensors'
    safetensors.torch.save_file(dict(tiny_network().state_dict()), str(valid_st))
    kinds = ['flip', 'truncate', 'central', 'local', 'eocd', 'pickle', 'storage', 'storage']
    cases = []
    for _ in range(CASES):
        if rng.random() < 0.1:
            cases.append(_safetensors_mutation(valid_st, rng, tmp_path))
        else:
            base = deflated if rng.random() < 0.25 else valid
            cases.append(_zip_mutation(rng.choice(kinds), base, rng, tmp_path))
    results, peak = load_in_child(cases, limit_mb=LIMIT_MB, timeout_s=300)
    assert len(results) == CASES
    outcomes = {}
    for result in results:
        outcomes[result['outcome']] = outcomes.get(result['outcome'], 0) + 1
        assert result['outcome'] in ('ok', 'error'), result
        if result['outcome'] == 'error':  # one line; a strict key report lists keys below it
            first, *report = result['message'].splitlines()
            assert result['path'] in first and (not report or 'does not fit' in first), result
        assert result['seconds'] < 5.0, result  # a hang detector: a case takes milliseconds
    print(f'\nfuzz: {outcomes}, slowest case {max(r["seconds"] for r in results):.4f} s, '
          f'peak {peak}')  # for docs/benchmarks.md (pytest -s)
    # both sides were reached: some mutations leave a loadable file, most are refused
    assert outcomes.get('ok', 0) >= 5 and outcomes.get('error', 0) >= CASES // 2, outcomes
    assert peak['peak_rss_mb'] - peak['start_rss_mb'] < LIMIT_MB, peak
