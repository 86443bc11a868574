#!/usr/bin/env python3
"""Python peers of Poisk's embedding benchmark: sentence-transformers (PyTorch) and plain ONNX Runtime
running the same e5-small-v2 weights as Poisk, on the same texts, with the same thread count.

sentence-transformers needs a Hugging Face folder; this builds one from the provisioned ONNX weights with
the converter in ops/models/export_torchscript.py (BertModel + save_pretrained + the same tokenizer.json),
cached in --hf-dir. Texts come one JSON string per line (without the "passage: " prefix; it is added here
as the model card says). Prints one line per measurement:
  RESULT {"peer": "sentence-transformers", "batch": 32, "texts": 400, "seconds": ..., "sentences_per_s": ...}
and, with --reference (vectors Poisk produced for the first texts), a CHECK line with the largest
deviation from Poisk's vectors, so a fast but wrong peer shows.

usage: st_embed_bench.py --texts FILE [--batches 1,8,16,32,64] [--batch1-texts 100] [--threads 2]
                         [--model-dir index-data/models/e5-small-v2] [--hf-dir DIR] [--peers st,ort] [--reference FILE]
"""
import argparse
import importlib.util
import json
import pathlib
import sys
import time

import numpy as np

REPO = pathlib.Path(__file__).resolve().parents[3]
PREFIX = "passage: "


def load_converter():
    path = REPO / "ops/models/export_torchscript.py"
    spec = importlib.util.spec_from_file_location("export_torchscript", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hf_folder(model_dir, hf_dir):
    """A save_pretrained BERT + fast tokenizer built from the ONNX weights (once; reused afterwards)."""
    if (hf_dir / "config.json").exists() and (hf_dir / "tokenizer.json").exists():
        return hf_dir
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast
    conv = load_converter()
    card = json.loads((model_dir / "card.json").read_text())
    tok = PreTrainedTokenizerFast(tokenizer_file=str(model_dir / card["tokenizer"]), unk_token="[UNK]",
                                  pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                  model_max_length=card["max_length"])
    config = BertConfig(vocab_size=len(tok), hidden_size=384, num_hidden_layers=12, num_attention_heads=12,
                        intermediate_size=1536, hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                        layer_norm_eps=1e-12)
    bert = BertModel(config, add_pooling_layer=False).eval()
    expected = set(bert.state_dict().keys())
    state = {k: torch.from_numpy(np.array(v, copy=True))
             for k, v in conv.onnx_state_dict(model_dir / card["artifact"]).items() if k in expected}
    missing = expected - set(state) - {"embeddings.position_ids"}
    if missing:
        sys.exit("weight mapping failed: missing %s" % sorted(missing))
    bert.load_state_dict(state, strict=False)
    hf_dir.mkdir(parents=True, exist_ok=True)
    bert.save_pretrained(str(hf_dir))
    tok.save_pretrained(str(hf_dir))
    return hf_dir


def st_encoder(hf_dir):
    from sentence_transformers import SentenceTransformer, models
    transformer = models.Transformer(str(hf_dir), max_seq_length=512)
    model = SentenceTransformer(modules=[transformer, models.Pooling(384, "mean"), models.Normalize()], device="cpu")
    return lambda texts, batch: model.encode(texts, batch_size=batch, convert_to_numpy=True, show_progress_bar=False)


def ort_encoder(model_dir, threads):
    import onnxruntime as ort
    from tokenizers import Tokenizer
    card = json.loads((model_dir / "card.json").read_text())
    tokenizer = Tokenizer.from_file(str(model_dir / card["tokenizer"]))
    tokenizer.enable_truncation(card["max_length"])
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model_dir / card["artifact"]), so, providers=["CPUExecutionProvider"])

    def encode(texts, batch):
        out = np.zeros((len(texts), 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # as sentence-transformers does
        for s in range(0, len(order), batch):
            idx = order[s:s + batch]
            enc = tokenizer.encode_batch([texts[i] for i in idx])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            types = np.array([e.type_ids for e in enc], dtype=np.int64)
            hidden = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            m = mask[:, :, None].astype(np.float32)
            pooled = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
            out[idx] = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
        return out
    return encode


def measure(encode, texts, batch):
    """Sentences/s embedding all `texts` in one call with batch size `batch`. The peers sort the whole list by
    length before cutting batches (sentence-transformers' own best use), while Poisk's harness hands its embedder
    calls of `batch` texts each: this favours the peers, as their padding waste is smaller."""
    encode(texts[:min(len(texts), max(batch, 8))], batch)  # warm-up
    t0 = time.perf_counter()
    encode(texts, batch)
    seconds = time.perf_counter() - t0
    return seconds, len(texts) / seconds


def read_reference(path):
    raw = pathlib.Path(path).read_bytes()
    n, dim = np.frombuffer(raw[:8], dtype=">i4")
    return np.frombuffer(raw[8:], dtype=">f4").reshape(n, dim).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", required=True)
    ap.add_argument("--batches", default="1,8,16,32,64")
    ap.add_argument("--batch1-texts", type=int, default=100)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model-dir", default=str(REPO / "index-data/models/e5-small-v2"))
    ap.add_argument("--hf-dir", default=str(REPO / "modules/eval/target/bench-cache/e5-small-v2-hf"))
    ap.add_argument("--peers", default="st,ort")
    ap.add_argument("--reference")
    args = ap.parse_args()

    import torch
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    texts = [PREFIX + json.loads(line) for line in pathlib.Path(args.texts).read_text(encoding="utf-8").splitlines() if line]
    model_dir = pathlib.Path(args.model_dir)
    peers = {}
    for name in args.peers.split(","):
        if name == "st":
            peers["sentence-transformers"] = st_encoder(hf_folder(model_dir, pathlib.Path(args.hf_dir)))
        elif name == "ort":
            peers["python-onnxruntime"] = ort_encoder(model_dir, args.threads)
        elif name:
            sys.exit("unknown peer %r (accepted: st, ort)" % name)
    reference = read_reference(args.reference) if args.reference else None
    for peer, encode in peers.items():
        if reference is not None:
            got = encode(texts[:len(reference)], 8)
            cos = (got * reference).sum(1)
            print("CHECK " + json.dumps({"peer": peer, "min_cosine_to_poisk": float(cos.min())}), flush=True)
        for batch in [int(b) for b in args.batches.split(",") if b]:
            subset = texts[:args.batch1_texts] if batch == 1 else texts
            seconds, rate = measure(encode, subset, batch)
            print("RESULT " + json.dumps({"peer": peer, "batch": batch, "texts": len(subset), "seconds": seconds,
                                          "sentences_per_s": rate}), flush=True)


if __name__ == "__main__":
    main()
