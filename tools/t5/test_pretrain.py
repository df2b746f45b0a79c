"""Checks of pretrain.py's example sampler: the self-supervised classification answers are right.

    cd /work/main && OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 -m unittest discover -s tools/t5 -p 'test_*.py' -v

Uses the fixture tokenizer (tests/fixtures/tokenizer/spiece.model) and two small text "sources".
"""

from __future__ import annotations

import os
import sys
import unittest

import numpy as np
import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "tokenizer"))

import pretrain as P  # noqa: E402

TEXT = {
    "license": "Permission is hereby granted, free of charge, to any person obtaining a copy of this software "
               "and associated documentation files, to deal in the software without restriction. " * 8,
    "notice": "THE SOFTWARE IS PROVIDED AS IS, WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING "
              "BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY. " * 8,
}


class ClassifyExamples(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.sp = spm.SentencePieceProcessor(model_file=os.path.join(REPO, "tests", "fixtures", "tokenizer", "spiece.model"))
        cls.streams = {k: np.array(cls.sp.encode(v), dtype=np.int32) for k, v in TEXT.items()}
        cls.sentinel0 = cls.sp.get_piece_size() + P.EXTRA_IDS - 1

    def sampler(self, classify_rate: float) -> P.Sampler:
        args = P.parse_args(["--tokenizer", "x", "--run", "x", "--classify-rate", str(classify_rate)])
        return P.Sampler(self.streams, args, self.sentinel0, self.sp.eos_id(), self.sp)

    def test_answers_follow_from_the_text(self):
        s, rng = self.sampler(1.0), np.random.default_rng(0)
        seen = set()
        for _ in range(400):
            inp, tgt = s.classify_example(rng)
            self.assertEqual(inp[-1], self.sp.eos_id())
            self.assertLessEqual(len(inp), s.args.input_len)
            self.assertEqual(tgt[-1], self.sp.eos_id())
            kind = next(k for k, p in s.prefix.items() if inp[:len(p)] == p)
            body, answer = inp[len(s.prefix[kind]):-1], tgt[:-1]
            seen.add(kind)
            if kind == "source":
                owners = [i for i, st in enumerate(s.streams) if contains_run(st, body)]
                self.assertIn(s.source_words.index(answer), owners)
            elif kind == "next":
                cut = find_run(body, s.sep)
                first, second = body[:cut], body[cut + len(s.sep):]
                self.assertIn(answer, (s.yes, s.no))
                if answer == s.yes:  # ("no" pairs a random window, which may by chance follow in this repetitive text)
                    self.assertTrue(any(contains_run(st, first + second) for st in s.streams))
            elif kind == "contains":
                word, passage = body[0], body[1 + len(s.sep):]
                self.assertTrue(s.is_word[word])
                self.assertEqual(answer, s.yes if word in passage else s.no)
            else:  # keyword: a word of the passage seen at least twice
                self.assertEqual(len(answer), 1)
                self.assertTrue(s.is_word[answer[0]])
                self.assertGreaterEqual(body.count(answer[0]), 2)
        self.assertEqual(seen, set(P.CLASSIFY_KINDS))

    def test_rate_zero_draws_the_batches_of_runs_made_before_the_flag(self):
        s = self.sampler(0.0)
        rows = [s.example(np.random.default_rng([3, step])) for step in range(20)]
        self.assertNotIn("classify", {r[0] for r in rows})
        # The draw order of a run without --classify-rate: objective, then window.
        rng = np.random.default_rng([3, 0])
        objective = "prefix_lm" if rng.random() < s.args.prefix_lm_rate else "span"
        self.assertEqual(rows[0][0], objective)


def find_run(seq, run):
    return next(i for i in range(len(seq) - len(run) + 1) if seq[i:i + len(run)] == run)


def contains_run(stream: np.ndarray, run) -> bool:
    s = stream.tolist()
    return any(s[i:i + len(run)] == run for i in range(len(s) - len(run) + 1))


if __name__ == "__main__":
    unittest.main()
