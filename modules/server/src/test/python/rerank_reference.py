#!/usr/bin/env python3
"""Reference rankings of the tiny rerankers, for the server's end-to-end rerank tests.

  build --out DIR [--encoder-tokenizer FILE]
      Runs ops/models/make_tiny_models.py into DIR (same models, same exports), and also pickles each
      reranker's eager transformers model as DIR/<id>/eager.pth, so scores can be recomputed for any input.
  score --models DIR --cases FILE
      FILE holds a JSON array of {"model", "query", "instruction" (or null), "documents": [...]}. Scores each
      case's documents against (query, instruction) with the eager model and the reference formula of
      make_tiny_models.py (cross_reference / llm_reference, each document scored on its own), and prints a
      JSON array with one {"scores": [...], "order": [...]} per case: indices best first, ties in input order.
"""
import argparse
import json
import pathlib
import sys

import torch

OPS = pathlib.Path(__file__).resolve().parents[5] / "ops" / "models"
sys.path.insert(0, str(OPS))
import export  # noqa: E402
import make_tiny_models  # noqa: E402

RERANKER_KINDS = ("cross_encoder", "llm_reranker")


def build(args):
    original = export.export

    def export_and_keep_eager(model, kind, tokenizer_file, card, out, answer_tokens=None):
        written = original(model, kind, tokenizer_file, card, out, answer_tokens)
        if kind in RERANKER_KINDS:
            torch.save(model, str(pathlib.Path(out) / "eager.pth"))
        return written

    export.export = export_and_keep_eager
    sys.argv = ["make_tiny_models.py", "--out", args.out] + (
        ["--encoder-tokenizer", args.encoder_tokenizer] if args.encoder_tokenizer else [])
    make_tiny_models.main()


def score(args):
    from tokenizers import Tokenizer
    loaded = {}
    results = []
    for case in json.loads(pathlib.Path(args.cases).read_text(encoding="utf-8")):
        folder = pathlib.Path(args.models) / case["model"]
        if case["model"] not in loaded:
            card = json.loads((folder / "card.json").read_text(encoding="utf-8"))
            model = torch.load(str(folder / "eager.pth"), weights_only=False).eval()
            loaded[case["model"]] = (card, model, Tokenizer.from_file(str(folder / card["tokenizer"])))
        card, model, tok = loaded[case["model"]]
        reference = make_tiny_models.cross_reference if card["kind"] == "cross_encoder" else make_tiny_models.llm_reference
        single, _ = reference(model, card, tok, case["query"], case.get("instruction") or None, case["documents"])
        order = sorted(range(len(single)), key=lambda i: (-single[i], i))
        results.append({"scores": single, "order": order})
    print(json.dumps(results))


def main():
    torch.set_num_threads(1)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="mode", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", required=True)
    b.add_argument("--encoder-tokenizer")
    s = sub.add_parser("score")
    s.add_argument("--models", required=True)
    s.add_argument("--cases", required=True)
    args = ap.parse_args()
    build(args) if args.mode == "build" else score(args)


if __name__ == "__main__":
    main()
