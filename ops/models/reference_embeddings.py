#!/usr/bin/env python3
"""Writes reference embeddings of e5-small-v2 for the Java conformance tests.

Runs the same model.onnx + tokenizer.json that Poisk provisions, through Python's ONNX Runtime and
Hugging Face `tokenizers`, one sentence at a time (no padding): masked mean pooling of the last
hidden state, then L2 normalisation. The output JSON is committed as
modules/models/src/test/resources/conformance/e5-small-v2.json, so the Java tests need no Python.

usage: reference_embeddings.py [--model-dir index-data/models/e5-small-v2] [--out FILE]
"""
import argparse
import json
import pathlib

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

REPO = pathlib.Path(__file__).resolve().parents[2]

# (role, text): English and Russian, queries and passages, short to over-long (truncated at max_length).
SENTENCES = [
    ("query", "how much protein should a female eat"),
    ("query", "capital of France"),
    ("passage", "As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 "
                "is 46 grams per day. But, as you can see from this chart, you'll need to increase that "
                "if you're expecting or training for a marathon."),
    ("passage", "Paris is the capital and most populous city of France."),
    ("query", "When did the Normans conquer England?"),
    ("passage", "The Norman conquest of England was the 11th-century invasion and occupation of England by "
                "an army made up of thousands of Norman, Breton, Flemish, and French troops, all led by the "
                "Duke of Normandy, later styled William the Conqueror. " * 12),
    ("query", "сколько белка нужно есть женщине"),
    ("query", "столица Франции"),
    ("passage", "Париж — столица и крупнейший город Франции."),
    ("passage", "Нормандское завоевание Англии — вторжение в Англию в 1066 году войск нормандского герцога "
                "Вильгельма и его последующее утверждение в качестве короля Англии."),
    ("query", "Когда была основана Москва?"),
    ("passage", "Москва впервые упоминается в летописи под 1147 годом, когда князь Юрий Долгорукий "
                "пригласил туда своих союзников. Город рос вокруг Кремля на берегу Москвы-реки. " * 3),
]

TEMPLATES = {"query": "query: {text}", "passage": "passage: {text}"}


def embed_one(session, tokenizer, text):
    enc = tokenizer.encode(text)
    ids = np.array([enc.ids], dtype=np.int64)
    mask = np.array([enc.attention_mask], dtype=np.int64)
    types = np.array([enc.type_ids], dtype=np.int64)
    hidden = session.run(["last_hidden_state"],
                         {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0][0]
    m = mask[0].astype(np.float64)[:, None]
    pooled = (hidden.astype(np.float64) * m).sum(axis=0) / m.sum()
    return pooled / np.linalg.norm(pooled), len(enc.ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=str(REPO / "index-data/models/e5-small-v2"))
    ap.add_argument("--out", default=str(REPO / "modules/models/src/test/resources/conformance/e5-small-v2.json"))
    args = ap.parse_args()
    model_dir = pathlib.Path(args.model_dir)
    card = json.loads((model_dir / "card.json").read_text())

    tokenizer = Tokenizer.from_file(str(model_dir / card["tokenizer"]))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=card["max_length"])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    session = ort.InferenceSession(str(model_dir / card["artifact"]), opts, providers=["CPUExecutionProvider"])

    cases = []
    for role, text in SENTENCES:
        vector, tokens = embed_one(session, tokenizer, TEMPLATES[role].format(text=text))
        cases.append({"role": role, "text": text, "tokens": tokens,
                      "embedding": [round(float(x), 7) for x in vector]})
    out = {"model": card["id"], "pooling": "mean", "normalize": True, "max_length": card["max_length"],
           "generator": "ops/models/reference_embeddings.py (onnxruntime %s)" % ort.__version__,
           "cases": cases}
    pathlib.Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print("wrote %d reference embeddings to %s (token counts %s)" % (len(cases), args.out, [c["tokens"] for c in cases]))


if __name__ == "__main__":
    main()
