#!/usr/bin/env python3
"""Exports a Hugging Face model to what Poisk loads unchanged: model.pt (TorchScript) + tokenizer.json + card.json.

Every kind of model the engine serves goes through one of three traced wrappers:
  embedder       (input_ids, attention_mask[, token_type_ids]) -> last_hidden_state [batch, seq, hidden];
                 pooling, instruction templates, EOS, Matryoshka truncation happen in Java per the card.
  cross_encoder  (input_ids, attention_mask, token_type_ids) -> the classification logit [batch, 1]
  llm_reranker   (input_ids, attention_mask) -> the two answer-token logits at the last real position
                 [batch, 2] (positive first): only those two rows of the LM head are kept.
Decoders (Qwen3, Mistral, Llama, ...) take (input_ids, attention_mask); encoders all three inputs.
A LoRA adapter (adapter_config.json + adapter_model.safetensors, as ru-Promptriever ships) is merged into
its base first: W += (B @ A) * lora_alpha / r, without needing peft.

The traced model is checked against the eager one on padded batches of other shapes before it is saved.

--quantize int8 (embedders) writes model.onnx instead of model.pt: the same wrapper exported with
torch.onnx.export (dynamic batch and sequence axes; checked against the eager model to 1e-4), then dynamically
quantized with quantize.py's code (int8 MatMul weights, one scale per output channel: per-tensor scales cost
e5-small-v2 0.07-0.12 nDCG@10 on XQuAD-ru, per-channel nothing measurable; see docs/benchmarks.md, session 7),
checked against the eager fp32 model by the cosine of pooled vectors (>= 0.98), card "engine": "onnx".
--int8-exclude keeps matching MatMul nodes fp32 (e5-small-v2 needed its FFN output projections of layers 0-6
kept fp32 to stay within 0.015 dense nDCG@10 of fp32).

usage:
  export.py --model DIR_OR_HUB_ID --kind embedder --card card-template.json --out OUT [--adapter DIR]
            [--answer-tokens yes no] [--tokenizer FILE] [--trust-remote-code] [--quantize int8 [--int8-exclude REGEX ...]]
The card template holds every card key except artifact/engine/tokenizer/inputs, which export.py fills in.
Poisk tokenises in Java with the Hugging Face `tokenizers` library, so it needs the fast tokenizer's
tokenizer.json: from --tokenizer, else the adapter folder, else the model folder (a hub id saves one).
--trust-remote-code runs the model folder's own Python modelling code (auto_map in config.json), as
models such as NV-Retriever-v1 require; read that code first.
"""
import argparse
import json
import pathlib
import shutil
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))  # quantize.py, for --quantize int8

DECODER_TYPES = {"qwen2", "qwen3", "mistral", "llama", "gemma", "gemma2", "phi3"}


def is_decoder(config):
    return config.model_type in DECODER_TYPES or bool(getattr(config, "is_decoder", False))


def input_names(config, kind):
    if kind == "llm_reranker" or is_decoder(config):
        return ["input_ids", "attention_mask"]
    if getattr(config, "type_vocab_size", 0) and config.type_vocab_size > 0:
        return ["input_ids", "attention_mask", "token_type_ids"]
    return ["input_ids", "attention_mask"]


class HiddenStates(torch.nn.Module):
    """Positional inputs, one tensor out: the shape DJL's PyTorch engine passes and expects."""

    def __init__(self, model, names):
        super().__init__()
        self.model = model
        self.with_types = "token_type_ids" in names

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask, "return_dict": True}
        if self.with_types:
            kwargs["token_type_ids"] = token_type_ids
        return self.model(**kwargs).last_hidden_state


class ClassifierLogits(torch.nn.Module):
    def __init__(self, model, names):
        super().__init__()
        self.model = model
        self.with_types = "token_type_ids" in names

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        kwargs = {"input_ids": input_ids, "attention_mask": attention_mask, "return_dict": True}
        if self.with_types:
            kwargs["token_type_ids"] = token_type_ids
        return self.model(**kwargs).logits


def last_real_position(attention_mask):
    """Index of each row's last real token, for left and right padding alike."""
    length = attention_mask.shape[1]
    return (length - 1) - torch.flip(attention_mask, dims=[1]).argmax(dim=1)


class AnswerLogits(torch.nn.Module):
    """The LM head's logits of the answer tokens at the last real position: [batch, 2]."""

    def __init__(self, causal_lm, answer_ids):
        super().__init__()
        self.body = causal_lm.get_decoder() if hasattr(causal_lm, "get_decoder") else causal_lm.model
        head = causal_lm.get_output_embeddings()
        self.register_buffer("answer_weight", head.weight[answer_ids].detach().clone())
        bias = getattr(head, "bias", None)
        self.register_buffer("answer_bias", bias[answer_ids].detach().clone() if bias is not None
                             else torch.zeros(len(answer_ids), dtype=head.weight.dtype))

    def forward(self, input_ids, attention_mask):
        hidden = self.body(input_ids=input_ids, attention_mask=attention_mask, return_dict=True).last_hidden_state
        rows = torch.arange(hidden.shape[0])
        last = hidden[rows, last_real_position(attention_mask)]
        return last @ self.answer_weight.T + self.answer_bias


def lora_scale(config):
    """alpha / r (alpha / sqrt(r) with rsLoRA); refuses the PEFT variants a plain W += B @ A merge would get wrong."""
    for key in ("use_dora", "rank_pattern", "alpha_pattern"):
        if config.get(key):
            raise SystemExit("adapter_config.json sets %s=%r, which export.py does not merge; merge it with peft "
                             "(merge_and_unload) and export the merged folder instead" % (key, config[key]))
    if config.get("peft_type", "LORA") != "LORA":
        raise SystemExit("adapter_config.json is a %s adapter, not LORA" % config["peft_type"])
    r = float(config["r"])
    return float(config["lora_alpha"]) / (r ** 0.5 if config.get("use_rslora") else r)


def merge_lora(model, adapter_dir):
    """W += (B @ A) * alpha / r for every LoRA pair in a PEFT adapter folder; returns how many were merged."""
    from safetensors.torch import load_file
    adapter_dir = pathlib.Path(adapter_dir)
    config = json.loads((adapter_dir / "adapter_config.json").read_text())
    scale = lora_scale(config)
    fan_in_fan_out = bool(config.get("fan_in_fan_out"))  # GPT-2 style Conv1D weights are stored transposed
    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    params = dict(model.named_parameters())
    merged = 0
    for name, a in weights.items():
        if ".lora_A." not in name:
            continue
        b = weights[name.replace(".lora_A.", ".lora_B.")]
        module = name.split(".lora_A.")[0]
        # PEFT names modules "base_model.model.<path in the base model>"
        for strip in ("base_model.model.", "base_model."):
            if module.startswith(strip):
                module = module[len(strip):]
                break
        target = None
        for candidate in (module + ".weight", "model." + module + ".weight",
                          module.split("model.", 1)[-1] + ".weight"):
            if candidate in params:
                target = params[candidate]
                break
        if target is None:
            raise SystemExit("LoRA module %s has no weight in the base model" % module)
        delta = b.float() @ a.float()
        if fan_in_fan_out:
            delta = delta.T
        if tuple(delta.shape) != tuple(target.shape):
            raise SystemExit("LoRA pair of %s is %s but the weight is %s" % (module, tuple(delta.shape), tuple(target.shape)))
        with torch.no_grad():
            target += delta.to(target.dtype) * scale
        merged += 1
    if merged == 0:
        raise SystemExit("no lora_A/lora_B pairs found in %s" % adapter_dir)
    return merged


def wrap(model, kind, names, answer_ids=None):
    if kind == "embedder":
        body = model.get_decoder() if hasattr(model, "lm_head") else model  # a CausalLM embeds with its body
        return HiddenStates(body, names)
    if kind == "cross_encoder":
        return ClassifierLogits(model, names)
    if kind == "llm_reranker":
        return AnswerLogits(model, answer_ids)
    raise SystemExit("unknown kind " + kind)


def example_batches(tokenizer_file, names, pad_id, left):
    """Padded id batches of three shapes, for tracing and for checking the trace."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(tokenizer_file))
    tok.no_truncation()
    texts = [["query: how much protein should a female eat", "passage: Париж — столица Франции."],
             ["a"],
             ["passage: Paris is the capital and most populous city of France.", "b", "Москва основана в 1147 году."]]
    batches = []
    for group in texts:
        encodings = [tok.encode(t) for t in group]
        length = max(len(e.ids) for e in encodings)
        ids, mask, types = [], [], []
        for e in encodings:
            pad = length - len(e.ids)
            if left:
                ids.append([pad_id] * pad + e.ids); mask.append([0] * pad + [1] * len(e.ids)); types.append([0] * length)
            else:
                ids.append(e.ids + [pad_id] * pad); mask.append([1] * len(e.ids) + [0] * pad); types.append(e.type_ids + [0] * pad)
        tensors = {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask), "token_type_ids": torch.tensor(types)}
        batches.append(tuple(tensors[n] for n in names))
    return batches


def trace_and_check(wrapper, batches, kind):
    wrapper.eval()
    traced = None
    with torch.no_grad():
        try:
            wrapper(*batches[0])
        except AttributeError as e:  # e.g. custom (trust_remote_code) models that pool inside their forward
            raise SystemExit("the %s wrapper cannot read the model's output (%s); export.py needs the model's "
                             "per-token last_hidden_state (embedder), logits (cross_encoder) or the LM body + head "
                             "(llm_reranker)" % (kind, e))
        for inputs in batches:
            if traced is None:
                traced = torch.jit.trace(wrapper, inputs, check_trace=False, strict=False)
            expected = wrapper(*inputs)
            actual = traced(*inputs)
            if kind == "embedder":  # pad positions are never pooled
                m = inputs[1].unsqueeze(-1).to(expected.dtype)
                expected, actual = expected * m, actual * m
            diff = (expected - actual).abs().max().item()
            print("  trace check %s: max |traced - eager| = %.2e" % (tuple(inputs[0].shape), diff))
            if not diff <= 1e-4:
                raise SystemExit("the traced model differs from the eager one by %.3g" % diff)
    return traced


def scriptable_class_names(model):
    """Remote-code classes (trust_remote_code) live in modules such as transformers_modules.<repo>.<commit hash>;
    TorchScript writes that path into model.pt, and a segment that starts with a digit (a hash often does) makes
    the file unloadable (DJL: "expected newline but found 'number'"). Renames such segments in this process only."""
    import re
    for cls in {type(m) for m in model.modules()}:
        if cls.__module__.startswith("transformers_modules"):
            cls.__module__ = ".".join("m_" + part if part[:1].isdigit() else part
                                      for part in (re.sub(r"\W", "_", p) for p in cls.__module__.split(".")))


def check_saved(path, traced, batches):
    """model.pt must load back (as DJL will load it) and give the traced outputs."""
    reloaded = torch.jit.load(str(path))
    with torch.no_grad():
        diff = (reloaded(*batches[0]) - traced(*batches[0])).abs().max().item()
    if not diff <= 1e-6:
        raise SystemExit("the saved %s differs from the traced model by %.3g" % (path, diff))


ONNX_OPSET = 17


def export_onnx(wrapper, batches, names, path):
    """The wrapper as ONNX with dynamic batch and sequence axes, checked against the eager model to 1e-4."""
    import numpy as np
    import quantize
    wrapper.eval()
    axes = {n: {0: "batch", 1: "sequence"} for n in names}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(wrapper, batches[0], str(path), input_names=list(names), output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=ONNX_OPSET, do_constant_folding=True, dynamo=False)
    sess = quantize.session(path)
    for inputs in batches:
        with torch.no_grad():
            expected = wrapper(*inputs).numpy()
        actual = quantize.run_onnx(sess, names, [t.numpy() for t in inputs])
        m = inputs[1].unsqueeze(-1).numpy()  # pad positions are never pooled
        diff = float(np.abs((expected - actual) * m).max())
        print("  onnx check %s: max |onnx - eager| = %.2e" % (tuple(inputs[0].shape), diff))
        if not diff <= 1e-4:
            raise SystemExit("the ONNX export differs from the eager model by %.3g" % diff)


def export_int8(wrapper, batches, names, out, pooling, exclude=()):
    """fp32 ONNX export into a temporary file, int8 quantization into out/model.onnx, cosine check against eager."""
    import tempfile
    import quantize
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = pathlib.Path(tmp) / "model-fp32.onnx"
        export_onnx(wrapper, batches, names, fp32)
        quantize.quantize_file(fp32, out / "model.onnx", per_channel=True, exclude=exclude)

    def eager(batch):
        with torch.no_grad():
            return wrapper(*[torch.as_tensor(t) for t in batch]).numpy()
    worst = quantize.cosine_check(eager, out / "model.onnx", names, [[t.numpy() for t in b] for b in batches],
                                  pooling, quantize.DEFAULT_MIN_COSINE)
    print("  int8 model: worst cosine(int8, eager fp32) of pooled vectors %.5f" % worst)


def export(model, kind, tokenizer_file, card, out, answer_tokens=None, quantization=None, int8_exclude=()):
    """Traces `model` per `kind` and writes model.pt (model.onnx with quantize="int8"), tokenizer.json, card.json
    into `out`."""
    from tokenizers import Tokenizer
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = input_names(model.config, kind)
    tok = Tokenizer.from_file(str(tokenizer_file))
    answer_ids = None
    if kind == "llm_reranker":
        answer_ids = []
        for token in answer_tokens:
            ids = tok.encode(token, add_special_tokens=False).ids
            if len(ids) != 1:
                raise SystemExit("answer token %r is %d tokens in this tokenizer; it must be one" % (token, len(ids)))
            answer_ids.append(ids[0])
    left = card.get("padding_side", "right") == "left"
    eos = card.get("eos_token")
    pad_id = tok.token_to_id(eos) if eos else 0
    scriptable_class_names(model)
    wrapper = wrap(model, kind, names, answer_ids)
    batches = example_batches(tokenizer_file, names, pad_id or 0, left)
    if quantization == "int8":
        if kind != "embedder":
            raise SystemExit("--quantize int8 exports embedders only (its check compares pooled vectors)")
        export_int8(wrapper, batches, names, out, card.get("pooling", "mean"), int8_exclude)
        artifact, engine = "model.onnx", "onnx"
    else:
        traced = trace_and_check(wrapper, batches, kind)
        traced.save(str(out / "model.pt"))
        check_saved(out / "model.pt", traced, batches)
        artifact, engine = "model.pt", "pytorch"
    if pathlib.Path(tokenizer_file).resolve() != (out / "tokenizer.json").resolve():
        shutil.copyfile(tokenizer_file, out / "tokenizer.json")
    full = dict(card, artifact=artifact, engine=engine, tokenizer="tokenizer.json", kind=kind, inputs=names)
    if kind == "llm_reranker":
        full["prompt"] = dict(full["prompt"], answer_tokens=list(answer_tokens))
        full["dimension"] = 2
    if kind == "cross_encoder":
        full["dimension"] = 1
    (out / "card.json").write_text(json.dumps(full, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def load_hf(model_ref, kind, trust_remote_code=False):
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSequenceClassification
    config = AutoConfig.from_pretrained(model_ref, trust_remote_code=trust_remote_code)
    common = {"config": config, "attn_implementation": "eager", "dtype": torch.float32,
              "trust_remote_code": trust_remote_code}
    if kind == "llm_reranker":
        return AutoModelForCausalLM.from_pretrained(model_ref, **common)
    if kind == "cross_encoder":
        return AutoModelForSequenceClassification.from_pretrained(model_ref, **common)
    return AutoModel.from_pretrained(model_ref, **common)


def find_tokenizer(args):
    """tokenizer.json from --tokenizer, the adapter folder or the model folder; a hub id saves its fast one into --out."""
    if args.tokenizer:
        if not pathlib.Path(args.tokenizer).is_file():
            raise SystemExit("--tokenizer %s: no such file" % args.tokenizer)
        return pathlib.Path(args.tokenizer)
    folders = [pathlib.Path(f) for f in (args.adapter, args.model) if f and pathlib.Path(f).is_dir()]
    for folder in folders:
        if (folder / "tokenizer.json").is_file():
            return folder / "tokenizer.json"
    if folders:  # a local folder without the fast tokenizer's file: Poisk cannot tokenise like the model does
        raise SystemExit(
            "no tokenizer.json in %s. Poisk tokenises with the fast (Rust) tokenizer and needs its tokenizer.json. "
            "Produce it from the slow tokenizer files (needs sentencepiece/tiktoken for some models):\n"
            "  python3 -c \"from transformers import AutoTokenizer; t = AutoTokenizer.from_pretrained('%s'%s); "
            "assert t.is_fast; t.save_pretrained('%s')\"\n"
            "then check that it tokenises a few texts exactly like the original, or pass --tokenizer FILE."
            % (" or ".join(str(f) for f in folders), folders[-1], ", trust_remote_code=True" if args.trust_remote_code else "",
               folders[-1]))
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.adapter or args.model, trust_remote_code=args.trust_remote_code)
    if not getattr(tokenizer, "is_fast", False):
        raise SystemExit("%s has no fast tokenizer (tokenizer.json); Poisk needs one: pass --tokenizer FILE" % args.model)
    pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
    saved = tokenizer.save_pretrained(args.out)
    return next(pathlib.Path(p) for p in saved if str(p).endswith("tokenizer.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="a Hugging Face model folder or hub id (the base, with --adapter)")
    ap.add_argument("--kind", required=True, choices=["embedder", "cross_encoder", "llm_reranker"])
    ap.add_argument("--card", required=True, help="card template JSON (id, pooling, templates, max_length, dimension, ...)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--adapter", help="a PEFT LoRA adapter folder to merge into the base first")
    ap.add_argument("--tokenizer", help="tokenizer.json to use (default: the one in the model or adapter folder)")
    ap.add_argument("--answer-tokens", nargs=2, metavar=("POSITIVE", "NEGATIVE"), help="for llm_reranker, e.g. yes no")
    ap.add_argument("--trust-remote-code", action="store_true",
                    help="run the model folder's own modelling code (config.json auto_map), e.g. NV-Retriever-v1")
    ap.add_argument("--quantize", choices=["int8"],
                    help="embedders: write an int8 ONNX model (model.onnx, engine onnx) instead of TorchScript")
    ap.add_argument("--int8-exclude", nargs="*", default=[], metavar="REGEX",
                    help="with --quantize int8: MatMul nodes (of the exported ONNX graph, re.search on their names) "
                         "kept fp32, e.g. 'layer\\.[0-6]/output/dense' (see quantize.py)")
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    card = json.loads(pathlib.Path(args.card).read_text(encoding="utf-8"))
    if args.int8_exclude and not args.quantize:
        sys.exit("--int8-exclude needs --quantize int8")
    if args.kind == "llm_reranker" and not args.answer_tokens:
        sys.exit("--answer-tokens is required for llm_reranker")
    if args.adapter and not (pathlib.Path(args.adapter) / "adapter_model.safetensors").is_file():
        sys.exit("--adapter %s has no adapter_model.safetensors" % args.adapter)
    tokenizer_file = find_tokenizer(args)  # before loading the weights: a missing tokenizer fails fast
    model = load_hf(args.model, args.kind, args.trust_remote_code).eval()
    if args.adapter:
        print("merged %d LoRA pairs from %s" % (merge_lora(model, args.adapter), args.adapter))
    out = export(model, args.kind, tokenizer_file, card, args.out, args.answer_tokens, args.quantize,
                 args.int8_exclude)
    print("wrote %s (torch %s)" % (out, torch.__version__))


if __name__ == "__main__":
    main()
