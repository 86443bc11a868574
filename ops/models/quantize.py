#!/usr/bin/env python3
"""Quantizes an ONNX model folder (card.json + model.onnx + tokenizer.json) to int8 into a new folder.

Dynamic quantization (onnxruntime.quantization.quantize_dynamic): the weights of the chosen op types are stored
as int8 (one scale per output channel; per tensor with --no-per-channel), activations are quantized at run time per batch.
Only the MatMul nodes are quantized by default: the word-embedding Gather stays fp32 (quantizing it saves disk,
not time). --exclude takes regular expressions matched against node names (re.search) and keeps those nodes fp32,
e.g. --exclude 'layer\\.(0|11)/' 'output/dense'. The result is checked against the fp32 model on padded batches
(cosine of the card's pooled vectors) and the check is printed; export.py --quantize int8 uses the same code.

usage: quantize.py --model DIR --out DIR [--id NEW_ID] [--[no-]per-channel] [--exclude REGEX ...] [--weight-type int8|uint8]
                   [--reduce-range] [--op-types MatMul ...] [--min-cosine 0.98]
The new card is the old one with id NEW_ID (default: <old id>-int8); the tokenizer is copied.
"""
import argparse
import json
import pathlib
import re
import shutil
import sys

import numpy as np

DEFAULT_OP_TYPES = ("MatMul",)
QUANT_TYPES = {}
# A loose bound that catches a broken quantization, not a quality loss: per-channel int8 kept e5-small-v2's pooled
# vectors at 0.997+ and the tiny test BERT's at 0.9997, but per-tensor e5-small-v2 (0.07-0.12 nDCG@10 worse on
# XQuAD-ru) still gave 0.982. Measure retrieval before serving a quantized model.
DEFAULT_MIN_COSINE = 0.98


def matching_nodes(model_path, patterns, op_types):
    """Names of the op_types nodes whose name matches one of the regular expressions."""
    import onnx
    if not patterns:
        return []
    graph = onnx.load(str(model_path), load_external_data=False).graph
    compiled = [re.compile(p) for p in patterns]
    names = [n.name for n in graph.node if n.op_type in op_types and any(c.search(n.name) for c in compiled)]
    for p, c in zip(patterns, compiled):
        if not any(c.search(n) for n in names):
            raise SystemExit("--exclude %r matches no %s node of %s" % (p, "/".join(op_types), model_path))
    return names


def quantize_file(src, dst, per_channel=False, exclude=(), op_types=DEFAULT_OP_TYPES, weight_type="int8",
                  reduce_range=False):
    """int8 weights for the op_types nodes of src (except those matching `exclude`) into dst; returns what was done."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    QUANT_TYPES.update(int8=QuantType.QInt8, uint8=QuantType.QUInt8)
    excluded = matching_nodes(src, exclude, op_types)
    quantize_dynamic(str(src), str(dst), op_types_to_quantize=list(op_types), per_channel=per_channel,
                     reduce_range=reduce_range, weight_type=QUANT_TYPES[weight_type], nodes_to_exclude=excluded)
    summary = {"per_channel": per_channel, "weight_type": weight_type, "reduce_range": reduce_range,
               "op_types": list(op_types), "excluded_nodes": len(excluded),
               "mb_before": round(pathlib.Path(src).stat().st_size / 2**20, 1),
               "mb_after": round(pathlib.Path(dst).stat().st_size / 2**20, 1)}
    print("quantized %s -> %s: %s" % (src, dst, summary))
    return summary


def pool(hidden, mask, pooling):
    """The card's pooling of [batch, seq, hidden] states in numpy (prefix_mean checked as mean), L2-normalised."""
    mask = mask.astype(np.float64)
    hidden = hidden.astype(np.float64)
    if pooling == "cls":
        out = hidden[:, 0]
    elif pooling == "last_token":
        last = (mask.shape[1] - 1) - np.argmax(mask[:, ::-1], axis=1)
        out = hidden[np.arange(hidden.shape[0]), last]
    else:
        out = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def session(path):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def run_onnx(sess, names, batch):
    feed = {n: np.asarray(t, dtype=np.int64) for n, t in zip(names, batch)}
    return sess.run(None, feed)[0]


def cosine_check(reference, quantized_path, names, batches, pooling, min_cosine):
    """Worst cosine between `reference(batch)` (fp32 hidden states) and the int8 model's, pooled, over the batches."""
    sess = session(quantized_path)
    worst = 1.0
    for batch in batches:
        mask = np.asarray(batch[1])
        a = pool(np.asarray(reference(batch)), mask, pooling)
        b = pool(run_onnx(sess, names, batch), mask, pooling)
        cos = float((a * b).sum(axis=1).min())
        print("  int8 check %s: min cosine(int8, fp32) of pooled vectors = %.5f" % (tuple(mask.shape), cos))
        worst = min(worst, cos)
    if not worst >= min_cosine:
        raise SystemExit("the int8 model's pooled vectors are too far from fp32: cosine %.4f < %.4f" % (worst, min_cosine))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="an ONNX model folder: card.json, model.onnx, tokenizer.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--id", help="the new card's id (default: <old id>-int8)")
    ap.add_argument("--per-channel", action=argparse.BooleanOptionalAction, default=True,
                    help="one scale per output channel (default); --no-per-channel: one per tensor, which cost "
                         "e5-small-v2 0.07-0.12 nDCG@10 on XQuAD-ru")
    ap.add_argument("--weight-type", choices=["int8", "uint8"], default="int8")
    ap.add_argument("--reduce-range", action="store_true", help="7-bit weights")
    ap.add_argument("--exclude", nargs="*", default=[], metavar="REGEX", help="node names kept fp32 (re.search)")
    ap.add_argument("--op-types", nargs="*", default=list(DEFAULT_OP_TYPES), help="op types to quantize (default MatMul)")
    ap.add_argument("--min-cosine", type=float, default=DEFAULT_MIN_COSINE)
    args = ap.parse_args()
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import export  # noqa: E402  (example batches, shared with the exporter)

    src, out = pathlib.Path(args.model), pathlib.Path(args.out)
    card = json.loads((src / "card.json").read_text(encoding="utf-8"))
    if card.get("engine") != "onnx" or not card.get("artifact", "").endswith(".onnx"):
        raise SystemExit("%s/card.json is not an ONNX card (engine %r, artifact %r)" % (src, card.get("engine"), card.get("artifact")))
    if card.get("kind", "embedder") != "embedder":
        raise SystemExit("quantize.py checks embedders only; %s is a %s" % (src, card["kind"]))
    if out.resolve() == src.resolve():
        raise SystemExit("--out must be a new folder")
    out.mkdir(parents=True, exist_ok=True)
    summary = quantize_file(src / card["artifact"], out / "model.onnx", args.per_channel, args.exclude, args.op_types,
                            args.weight_type, args.reduce_range)
    names = card.get("inputs") or [i.name for i in session(src / card["artifact"]).get_inputs()]
    tokenizer = src / card.get("tokenizer", "tokenizer.json")
    pad_id = 0
    if card.get("eos_token"):
        from tokenizers import Tokenizer
        pad_id = Tokenizer.from_file(str(tokenizer)).token_to_id(card["eos_token"]) or 0
    batches = [tuple(t.numpy() for t in b) for b in
               export.example_batches(tokenizer, names, pad_id, card.get("padding_side", "right") == "left")]
    fp32 = session(src / card["artifact"])
    cosine_check(lambda b: run_onnx(fp32, names, b), out / "model.onnx", names, batches, card.get("pooling", "mean"),
                 args.min_cosine)
    shutil.copyfile(tokenizer, out / "tokenizer.json")
    new = dict(card, id=args.id or card["id"] + "-int8", artifact="model.onnx", engine="onnx", tokenizer="tokenizer.json")
    (out / "card.json").write_text(json.dumps(new, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote %s (card id %s; %s)" % (out, new["id"], summary))


if __name__ == "__main__":
    main()
