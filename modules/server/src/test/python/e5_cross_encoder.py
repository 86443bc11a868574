#!/usr/bin/env python3
"""A cross-encoder the size of ms-marco-MiniLM-L-12 style models, for measuring rerank cost (no network).

Rebuilds e5-small-v2 (BERT, 384 hidden, 12 layers) from its ONNX weights the way
ops/models/export_torchscript.py does, puts a randomly initialised one-logit classification head on it
(BertForSequenceClassification) and exports it with ops/models/export.py as a cross_encoder card.
Its scores are meaningless; its compute per (query, document) pair is that of a real MiniLM-L12 cross-encoder.

usage: e5_cross_encoder.py --out DIR [--model-dir index-data/models/e5-small-v2] [--id e5-cross-encoder-bench]
"""
import argparse
import json
import pathlib
import sys

import numpy as np
import torch

OPS = pathlib.Path(__file__).resolve().parents[5] / "ops" / "models"
sys.path.insert(0, str(OPS))
import export  # noqa: E402
import export_torchscript  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=str(OPS.parents[1] / "index-data/models/e5-small-v2"))
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", default="e5-cross-encoder-bench")
    args = ap.parse_args()
    torch.manual_seed(7)
    torch.set_num_threads(2)
    from tokenizers import Tokenizer
    from transformers import BertConfig, BertForSequenceClassification

    model_dir = pathlib.Path(args.model_dir)
    card = json.loads((model_dir / "card.json").read_text())
    tokenizer_file = model_dir / card["tokenizer"]
    vocab = Tokenizer.from_file(str(tokenizer_file)).get_vocab_size(with_added_tokens=True)
    config = BertConfig(vocab_size=vocab, hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=1536, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                        layer_norm_eps=1e-12, num_labels=1, attn_implementation="eager")
    model = BertForSequenceClassification(config).eval()
    state = {k: torch.from_numpy(np.array(v, copy=True))
             for k, v in export_torchscript.onnx_state_dict(model_dir / card["artifact"]).items()
             if k != "embeddings.position_ids"}
    result = model.bert.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.startswith("pooler.")]
    if missing or result.unexpected_keys:
        sys.exit("weight mapping failed: missing %s, unexpected %s" % (missing, result.unexpected_keys))
    template = {"id": args.id, "pooling": "cls", "query_template": "{text}", "passage_template": "{text}",
                "instruction_template": "{text} {instruction}", "max_length": 512, "dimension": 1, "normalize": False,
                "padding_side": "right"}
    export.export(model, "cross_encoder", tokenizer_file, template, pathlib.Path(args.out))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
