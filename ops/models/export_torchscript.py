#!/usr/bin/env python3
"""Converts e5-small-v2's ONNX weights to TorchScript, so the same model runs on DJL's PyTorch engine.

Builds a `transformers` BertModel with e5-small-v2's configuration, copies the ONNX initializers into
it (named parameters directly; the dense weights, which the ONNX export stores as anonymous transposed
MatMul operands, through the MatMul node that uses them), checks the result against ONNX Runtime,
traces it with (input_ids, attention_mask, token_type_ids) -> last_hidden_state and writes
model.pt + tokenizer.json + card.json (engine "pytorch") into the output folder.

usage: export_torchscript.py [--model-dir index-data/models/e5-small-v2] --out DIR
"""
import argparse
import json
import pathlib
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from tokenizers import Tokenizer
from transformers import BertConfig, BertModel

REPO = pathlib.Path(__file__).resolve().parents[2]


class LastHiddenState(torch.nn.Module):
    """Positional inputs and a single tensor output: the shape DJL's PyTorch engine passes and expects."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids, return_dict=False)[0]


def onnx_state_dict(model_path):
    """Maps ONNX initializers to BertModel parameter names."""
    graph = onnx.load(str(model_path)).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = {name: array for name, array in inits.items()
             if name.startswith(("embeddings.", "encoder.", "pooler."))}
    for node in graph.node:
        # e.g. "/encoder/layer.0/attention/self/query/MatMul" uses anonymous "onnx::MatMul_1525" = W^T
        if node.op_type != "MatMul":
            continue
        weight = next((i for i in node.input if i in inits and i not in state), None)
        if weight is None:
            continue
        module = node.name.strip("/").rsplit("/", 1)[0].replace("/", ".")
        state[module + ".weight"] = inits[weight].T.copy()
    return state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model-dir", default=str(REPO / "index-data/models/e5-small-v2"))
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    model_dir = pathlib.Path(args.model_dir)
    out = pathlib.Path(args.out)
    card = json.loads((model_dir / "card.json").read_text())
    torch.set_num_threads(2)

    tokenizer = Tokenizer.from_file(str(model_dir / card["tokenizer"]))
    config = BertConfig(vocab_size=tokenizer.get_vocab_size(with_added_tokens=True), hidden_size=384,
                        num_hidden_layers=12, num_attention_heads=12, intermediate_size=1536,
                        hidden_act="gelu", max_position_embeddings=512, type_vocab_size=2,
                        layer_norm_eps=1e-12, attn_implementation="eager")
    bert = BertModel(config, add_pooling_layer=False).eval()
    expected = set(bert.state_dict().keys())
    state = {k: torch.from_numpy(np.array(v, copy=True)) for k, v in onnx_state_dict(model_dir / card["artifact"]).items()
             # position_ids is a constant buffer (0..511) that newer transformers no longer keep in the state dict
             if k in expected or k != "embeddings.position_ids"}
    missing = sorted(expected - set(state))
    unexpected = sorted(set(state) - expected)
    if missing or unexpected:
        sys.exit("weight mapping failed: missing %s, unexpected %s" % (missing, unexpected))
    bert.load_state_dict(state, strict=True)
    model = LastHiddenState(bert).eval()

    # Verify against ONNX Runtime before saving anything: on the tracing batch and on batches of other
    # shapes, since tracing must not bake in a batch size or sequence length.
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    session = ort.InferenceSession(str(model_dir / card["artifact"]), providers=["CPUExecutionProvider"])
    batches = [["query: how much protein should a female eat",
                "passage: Нормандское завоевание Англии — вторжение в Англию в 1066 году."],
               ["query: a"],
               ["passage: Paris is the capital and most populous city of France.", "query: b", "passage: c d e"]]
    traced = None
    for texts in batches:
        encodings = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        reference = session.run(["last_hidden_state"],
                                {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        inputs = (torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(types))
        with torch.no_grad():
            if traced is None:
                traced = torch.jit.trace(model, inputs, check_trace=False)
            actual = traced(*inputs).numpy()
        # Compare only real tokens: pad positions are never pooled.
        diff = np.abs((actual - reference) * mask[:, :, None]).max()
        print("shape %s: max |torchscript - onnxruntime| over real tokens %.2e" % (ids.shape, diff))
        if diff > 1e-3:
            sys.exit("TorchScript output does not match ONNX Runtime (max diff %.3g)" % diff)

    out.mkdir(parents=True, exist_ok=True)
    traced.save(str(out / "model.pt"))
    shutil.copyfile(model_dir / card["tokenizer"], out / "tokenizer.json")
    pt_card = dict(card, artifact="model.pt", engine="pytorch", tokenizer="tokenizer.json")
    (out / "card.json").write_text(json.dumps(pt_card, indent=2) + "\n")
    print("wrote %s (torch %s)" % (out, torch.__version__))


if __name__ == "__main__":
    main()
