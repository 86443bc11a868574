#!/usr/bin/env python3
"""Builds the conformance models: small randomly initialised models of every architecture and convention
Poisk serves, exported with export.py, plus the reference outputs computed the way each model's own usage
code computes them (eager transformers model, Python tokenizers), single and batched with padding, on
English and Russian inputs. The Java conformance tests compare against these to 1e-4.

  BERT-style encoder     mean pooling, role prefixes (USER-base, e5); a cross-encoder (one logit)
  DeBERTa-style encoder  CLS pooling, bge query instruction
  Qwen3-style decoder    last-token pooling, instruction appended + EOS + a merged LoRA adapter
                         (Promptriever / ru-Promptriever); Instruct/Query template, left padding,
                         Matryoshka truncation (Qwen3-Embedding); yes/no reranker (Qwen3-Reranker)
  Mistral-style decoder  prefix-masked mean pooling (NV-Retriever); true/false reranker (FollowIR-7B)

Five of them (BERT mean-pooling, the Qwen3 last-token + LoRA embedder, the BERT cross-encoder, the Qwen3 yes/no
reranker, and the NV-Retriever-style Mistral saved with its own modelling code, exported with --trust-remote-code)
are also exported the way a user exports a downloaded model: saved as a Hugging Face folder
(save_pretrained: config.json, model.safetensors, tokenizer.json, tokenizer_config.json; the LoRA as a PEFT adapter
folder over the saved base) and run through export.py's command line in a subprocess, as DIR/<card id>-cli.
Their reference is the in-memory model's, so anything lost on the way through the saved folder shows.
The BERT one is exported a third time with --quantize int8 (an int8 ONNX model, DIR/tiny-bert-mean-int8-cli)
against the same fp32 reference: the Java test bounds the quantization error, not an exact match.

usage: make_tiny_models.py --out DIR [--encoder-tokenizer index-data/models/e5-small-v2/tokenizer.json]
Writes DIR/<card id>/{model.pt,tokenizer.json,card.json} and DIR/reference.json.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import export  # noqa: E402

REPO = pathlib.Path(__file__).resolve().parents[2]
SEED = 20240917

QUERIES = ["how much protein should a female eat", "capital of France",
           "сколько белка нужно есть женщине", "Когда была основана Москва?"]
PASSAGES = ["Paris is the capital and most populous city of France.",
            "As a general guideline, the CDC's average requirement of protein for women ages 19 to 70 is 46 grams per day.",
            "Париж — столица и крупнейший город Франции.",
            "Москва впервые упоминается в летописи под 1147 годом, когда князь Юрий Долгорукий пригласил туда своих союзников."]
INSTRUCTION = "Relevant documents mention a year. Документ должен называть год."

CORPUS = (QUERIES + PASSAGES + [INSTRUCTION] + [
    "yes no true false yes no true false", "Instruct: Query: Document: passage: query:",
    "Judge whether the Document meets the requirements based on the Query and the Instruct provided.",
    "Note that the answer can only be \"yes\" or \"no\".",
    "You are an expert Google searcher, whose job is to determine if the following document is relevant to the query (true/false).",
    "Answer using only one word, one of those two choices. Relevant (only output one word, either \"true\" or \"false\"):",
    "Given a web search query, retrieve relevant passages that answer the query",
    "Represent this sentence for searching relevant passages:",
    "The Norman conquest of England was the 11th-century invasion and occupation of England.",
    "Нормандское завоевание Англии — вторжение в Англию в 1066 году войск нормандского герцога.",
    "Город рос вокруг Кремля на берегу Москвы-реки. Столица России, крупнейший город страны.",
]) * 20

# exported a second time through the command line, from saved Hugging Face folders; the NV-Retriever-style one
# is saved with its own modelling code (auto_map), so it needs --trust-remote-code like nvidia/NV-Retriever-v1
CLI_EXPORTS = ("tiny-bert-mean", "tiny-qwen3-promptriever", "tiny-bert-cross-encoder", "tiny-qwen3-reranker",
               "tiny-mistral-nv-retriever")
REMOTE_CODE = {"tiny-mistral-nv-retriever"}
# exported once more from its saved folder with --quantize int8 (model.onnx, engine onnx), as <id>-int8-cli
INT8_EXPORTS = ("tiny-bert-mean",)
REMOTE_MODELLING = '''"""Custom modelling code shipped inside the model folder, loaded only with trust_remote_code."""
from transformers import MistralConfig, MistralModel


class TinyNvRetrieverConfig(MistralConfig):
    model_type = "tiny_nv_retriever"


class TinyNvRetrieverModel(MistralModel):
    config_class = TinyNvRetrieverConfig
'''
EXPORT_PY = pathlib.Path(__file__).resolve().parent / "export.py"

QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>"]
MISTRAL_SPECIALS = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]"]


def train_bpe(specials, bos=None):
    """A small byte-level BPE on English+Russian text; `bos` is prepended by the post-processor (Mistral)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=900, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS, trainer)
    if bos:
        tok.post_processor = processors.TemplateProcessing(single=bos + " $A", pair=bos + " $A $B",
                                                           special_tokens=[(bos, tok.token_to_id(bos))])
    for word in ("yes", "no", "true", "false", ":"):
        ids = tok.encode(word, add_special_tokens=False).ids
        assert len(ids) == 1, "%r is %d tokens" % (word, len(ids))
    return tok


def bert_config(vocab, **extra):
    from transformers import BertConfig
    return BertConfig(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=64, max_position_embeddings=128, initializer_range=0.3, attn_implementation="eager", **extra)


def deberta_config(vocab):
    from transformers import DebertaV2Config
    return DebertaV2Config(vocab_size=vocab, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                           intermediate_size=64, max_position_embeddings=128, relative_attention=True,
                           position_buckets=16, max_relative_positions=64, pos_att_type=["p2c", "c2p"],
                           type_vocab_size=0, attn_implementation="eager")


def qwen3_config(vocab, tok):
    from transformers import Qwen3Config
    return Qwen3Config(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=512,
                       initializer_range=0.3, tie_word_embeddings=True, pad_token_id=tok.token_to_id("<|endoftext|>"),
                       eos_token_id=tok.token_to_id("<|endoftext|>"), attn_implementation="eager")


def mistral_config(vocab, tok):
    from transformers import MistralConfig
    return MistralConfig(vocab_size=vocab, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, head_dim=8, max_position_embeddings=512,
                         initializer_range=0.3, sliding_window=None, bos_token_id=tok.token_to_id("<s>"), eos_token_id=tok.token_to_id("</s>"),
                         pad_token_id=tok.token_to_id("</s>"), attn_implementation="eager")


def random_lora(model, folder, base, targets=("q_proj", "v_proj"), r=4, alpha=8):
    """A random LoRA adapter for `model` in a PEFT adapter folder (PEFT's adapter_config.json keys and tensor names);
    returns {module name: (A, B, scale)} for the reference."""
    from safetensors.torch import save_file
    folder.mkdir(parents=True, exist_ok=True)
    tensors, pairs = {}, {}
    for name, module in model.named_modules():
        if name.split(".")[-1] in targets and isinstance(module, torch.nn.Linear):
            a = torch.randn(r, module.in_features) * 0.3
            b = torch.randn(module.out_features, r) * 0.3
            tensors["base_model.model.%s.lora_A.weight" % name] = a.contiguous()
            tensors["base_model.model.%s.lora_B.weight" % name] = b.contiguous()
            pairs[name] = (a, b, alpha / r)
    save_file(tensors, str(folder / "adapter_model.safetensors"))
    (folder / "adapter_config.json").write_text(json.dumps({
        "peft_type": "LORA", "task_type": "FEATURE_EXTRACTION", "base_model_name_or_path": str(base), "r": r,
        "lora_alpha": alpha, "lora_dropout": 0.0, "target_modules": list(targets), "bias": "none",
        "fan_in_fan_out": False, "use_rslora": False, "use_dora": False, "inference_mode": True}, indent=2))
    return pairs


class UnmergedLora:
    """Adds x @ A^T @ B^T * scale to the outputs of the target linears: LoRA as PEFT runs it, unmerged."""

    def __init__(self, model, pairs):
        self.handles = []
        modules = dict(model.named_modules())
        for name, (a, b, scale) in pairs.items():
            self.handles.append(modules[name].register_forward_hook(
                lambda m, inp, out, a=a, b=b, s=scale: out + (inp[0] @ a.T @ b.T) * s))

    def remove(self):
        for h in self.handles:
            h.remove()


def save_hf_folder(model, tok_file, folder):
    """What a user downloads: config.json + model.safetensors, and the fast tokenizer's files."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast
    model.save_pretrained(str(folder))
    vocab = Tokenizer.from_file(str(tok_file)).get_vocab(with_added_tokens=True)
    if "[CLS]" in vocab:
        specials = dict(unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", mask_token="[MASK]")
    else:
        specials = dict(eos_token="<|endoftext|>", pad_token="<|endoftext|>")
    PreTrainedTokenizerFast(tokenizer_file=str(tok_file), **specials).save_pretrained(str(folder))
    return folder


def add_remote_code(folder):
    """Turns a saved Mistral folder into one whose architecture exists only in its own Python file (auto_map)."""
    (folder / "modeling_tiny_nv.py").write_text(REMOTE_MODELLING)
    config = json.loads((folder / "config.json").read_text())
    config.update(model_type="tiny_nv_retriever", architectures=["TinyNvRetrieverModel"],
                  auto_map={"AutoConfig": "modeling_tiny_nv.TinyNvRetrieverConfig",
                            "AutoModel": "modeling_tiny_nv.TinyNvRetrieverModel"})
    (folder / "config.json").write_text(json.dumps(config, indent=2))


def run_export_cli(args, modules_cache):
    """export.py as a user runs it; returns (exit status, its output)."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1",
               HF_MODULES_CACHE=str(modules_cache))  # remote code is copied there, not into ~/.cache
    done = subprocess.run([sys.executable, str(EXPORT_PY)] + [str(a) for a in args], capture_output=True, text=True, env=env)
    return done.returncode, done.stdout + done.stderr


def export_through_cli(job, out, work, suffix="-cli", extra=()):
    """Exports one saved folder with export.py's command line into out/<id><suffix>; returns the command."""
    cli_id = job["id"] + suffix
    template = work / (cli_id + "-card-template.json")
    template.write_text(json.dumps(dict(job["card"], id=cli_id), ensure_ascii=False, indent=2), encoding="utf-8")
    args = ["--model", job["model"], "--kind", job["kind"], "--card", template, "--out", out / cli_id]
    if job.get("adapter"):
        args += ["--adapter", job["adapter"]]
    if job.get("answers"):
        args += ["--answer-tokens"] + job["answers"]
    if job["id"] in REMOTE_CODE:
        args += ["--trust-remote-code"]
    args += list(extra)
    status, output = run_export_cli(args, work / "hf-modules")
    print("export.py " + " ".join(str(a) for a in args) + "\n" + output)
    if status != 0:
        raise SystemExit("export.py failed on the saved folder %s (exit %d)" % (job["model"], status))
    return "export.py " + " ".join(str(a).replace(str(out) + "/", "") for a in args)


def check_missing_tokenizer_fails(folder, work):
    """A folder without tokenizer.json must stop export.py with a message that says how to make one."""
    status, output = run_export_cli(["--model", folder, "--kind", "embedder", "--card", folder / "config.json",
                                     "--out", folder / "out"], work / "hf-modules")
    if status == 0 or "no tokenizer.json" not in output or "save_pretrained" not in output:
        raise SystemExit("export.py did not refuse a folder without tokenizer.json clearly:\n" + output)
    return output.strip().splitlines()[-3:]


# ---- reference computations, as in each model's usage code ----

def render(card, text, role, instruction):
    body = text
    if role == "query" and card.get("instruction_template") and instruction:
        body = card["instruction_template"].replace("{instruction}", instruction).replace("{text}", text) \
            if "{text}" not in instruction else None
    template = card["query_template"] if role == "query" else card["passage_template"]
    return template.replace("{text}", body)


def encode_texts(tok, card, texts):
    from tokenizers import Tokenizer  # noqa: F401
    eos = card.get("eos_token") if card.get("append_eos") else None
    tok.no_padding()
    tok.enable_truncation(max_length=card["max_length"] - (1 if eos else 0))
    rows = []
    for t in texts:
        e = tok.encode(t)
        ids, types = list(e.ids), list(e.type_ids)
        if eos:
            ids.append(tok.token_to_id(eos)); types.append(types[-1] if types else 0)
        rows.append((ids, types))
    return rows


def pad(rows, pad_id, left):
    length = max(len(ids) for ids, _ in rows)
    ids_out, mask_out, types_out = [], [], []
    for ids, types in rows:
        p = length - len(ids)
        if left:
            ids_out.append([pad_id] * p + ids); mask_out.append([0] * p + [1] * len(ids)); types_out.append([0] * p + types)
        else:
            ids_out.append(ids + [pad_id] * p); mask_out.append([1] * len(ids) + [0] * p); types_out.append(types + [0] * p)
    return torch.tensor(ids_out), torch.tensor(mask_out), torch.tensor(types_out)


def hidden_of(model, names, ids, mask, types):
    kwargs = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in names:
        kwargs["token_type_ids"] = types
    with torch.no_grad():
        return model(**kwargs).last_hidden_state.double()


def pool(card, hidden, ids, mask, separator_id):
    pooling = card["pooling"]
    if pooling == "cls":
        out = hidden[:, 0]
    elif pooling == "last_token":  # Qwen3-Embedding's last_token_pool
        if bool((mask[:, -1] == 1).all()):
            out = hidden[:, -1]
        else:
            out = hidden[torch.arange(hidden.shape[0]), mask.sum(dim=1) - 1]
    else:
        m = mask.clone()
        if pooling == "prefix_mean":  # NV-Retriever: tokens through the first ':' leave the mean
            for r in range(ids.shape[0]):
                hits = ((ids[r] == separator_id) & (mask[r] == 1)).nonzero()
                if len(hits) and bool(mask[r, hits[0, 0] + 1:].any()):
                    m[r, :hits[0, 0] + 1] = 0
        m = m.unsqueeze(-1).double()
        out = (hidden * m).sum(dim=1) / m.sum(dim=1)
    dim = card.get("truncate_dim") or card["dimension"]
    out = out[:, :dim]
    return torch.nn.functional.normalize(out, dim=-1) if card.get("normalize", True) else out


def embed_reference(model, card, tok, texts, role, instruction):
    names = card["inputs"]
    rendered = [render(card, t, role, instruction) for t in texts]
    rows = encode_texts(tok, card, rendered)
    eos = card.get("eos_token")
    pad_id = tok.token_to_id(eos) if eos else 0
    left = card.get("padding_side") == "left"
    sep = tok.token_to_id(card["prefix_separator"]) if card.get("prefix_separator") else None
    single = []
    for row in rows:
        ids, mask, types = pad([row], pad_id, left)
        single.append(pool(card, hidden_of(model, names, ids, mask, types), ids, mask, sep)[0])
    ids, mask, types = pad(rows, pad_id, left)
    batched = pool(card, hidden_of(model, names, ids, mask, types), ids, mask, sep)
    return [v.tolist() for v in single], batched.tolist(), [len(r[0]) for r in rows]


def cross_reference(model, card, tok, query, instruction, documents):
    q = render(card, query, "query", instruction)
    tok.no_padding()
    tok.enable_truncation(max_length=card["max_length"])
    rows = [(e.ids, e.type_ids) for e in (tok.encode(q, render(card, d, "passage", None)) for d in documents)]
    def run(rs):
        ids, mask, types = pad(rs, 0, False)
        with torch.no_grad():
            return model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits[:, 0].double().tolist()
    return [run([r])[0] for r in rows], run(rows)


def llm_reference(model, card, tok, query, instruction, documents):
    """Qwen3-Reranker / FollowIR usage code: prefix + body + suffix ids, last-position logits of the two
    answer tokens, log_softmax, exp of the positive one."""
    prompt = card["prompt"]
    takes_instruction = "{instruction}" in prompt["body"]
    q = render(card, query, "query", None if takes_instruction else instruction)
    chosen = instruction or prompt.get("default_instruction") or ""
    tok.no_padding(); tok.no_truncation()
    prefix = tok.encode(prompt.get("prefix") or "", add_special_tokens=False).ids if prompt.get("prefix") else []
    suffix = tok.encode(prompt.get("suffix") or "", add_special_tokens=False).ids if prompt.get("suffix") else []
    room = card["max_length"] - len(prefix) - len(suffix)
    rows = []
    for d in documents:
        body = prompt["body"].replace("{document}", "\x00D").replace("{query}", "\x00Q").replace("{instruction}", "\x00I")
        body = body.replace("\x00I", chosen).replace("\x00Q", q).replace("\x00D", render(card, d, "passage", None))
        ids = prefix + tok.encode(body).ids[:room] + suffix
        rows.append((ids, [0] * len(ids)))
    answer = [tok.token_to_id(t) for t in prompt["answer_tokens"]]
    pad_id = tok.token_to_id(card["eos_token"]) if card.get("eos_token") else 0
    def run(rs):
        ids, mask, _ = pad(rs, pad_id, card.get("padding_side") == "left")
        with torch.no_grad():
            logits = model(input_ids=ids, attention_mask=mask).logits
        last = logits[torch.arange(ids.shape[0]), export.last_real_position(mask)]
        pair = torch.stack([last[:, answer[0]], last[:, answer[1]]], dim=1).double()
        return torch.nn.functional.log_softmax(pair, dim=1)[:, 0].exp().tolist()
    return [run([r])[0] for r in rows], run(rows)


def embedder_cases(model, card, tok):
    cases = []
    for role, texts in (("query", QUERIES), ("passage", PASSAGES)):
        for instruction in ([None, INSTRUCTION] if role == "query" and card.get("instruction_template") else [None]):
            single, batched, lengths = embed_reference(model, card, tok, texts, role, instruction)
            cases.append({"role": role, "instruction": instruction, "texts": texts, "token_counts": lengths,
                          "single": single, "batched": batched})
    return cases


def reranker_cases(reference, model, card, tok):
    cases = []
    for query in (QUERIES[0], QUERIES[2]):
        for instruction in (None, INSTRUCTION):
            single, batched = reference(model, card, tok, query, instruction, PASSAGES)
            cases.append({"query": query, "instruction": instruction, "documents": PASSAGES,
                          "single": single, "batched": batched})
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--encoder-tokenizer", default=str(REPO / "index-data/models/e5-small-v2/tokenizer.json"))
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from tokenizers import Tokenizer
    from transformers import (BertForSequenceClassification, BertModel, DebertaV2Model, MistralForCausalLM,
                              MistralModel, Qwen3ForCausalLM, Qwen3Model)

    work = out / "_work"
    work.mkdir(exist_ok=True)
    enc_tok_file = pathlib.Path(args.encoder_tokenizer)
    enc_tok = Tokenizer.from_file(str(enc_tok_file))
    vocab_enc = enc_tok.get_vocab_size(with_added_tokens=True)
    qwen_tok = train_bpe(QWEN_SPECIALS)
    qwen_tok_file = work / "qwen-tokenizer.json"
    qwen_tok.save(str(qwen_tok_file))
    mistral_tok = train_bpe(MISTRAL_SPECIALS, bos="<s>")
    mistral_tok_file = work / "mistral-tokenizer.json"
    mistral_tok.save(str(mistral_tok_file))
    vq, vm = qwen_tok.get_vocab_size(with_added_tokens=True), mistral_tok.get_vocab_size(with_added_tokens=True)

    qwen_reranker_prompt = {
        "prefix": "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the "
                  "Instruct provided. Note that the answer can only be \"yes\" or \"no\".<|im_end|>\n<|im_start|>user\n",
        "body": "<Instruct>: {instruction}\n<Query>: {query}\n<Document>: {document}",
        "suffix": "<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
        "default_instruction": "Given a web search query, retrieve relevant passages that answer the query"}
    followir_prompt = {
        "body": "<s> [INST] You are an expert Google searcher, whose job is to determine if the following document is "
                "relevant to the query (true/false). Answer using only one word, one of those two choices.\n\n"
                "Query: {query}\nDocument: {document}\nRelevant (only output one word, either \"true\" or \"false\"): [/INST] "}
    base = {"normalize": True, "max_length": 64, "padding_side": "right"}
    specs = [
        # id, model factory, kind, tokenizer, card, lora, answer tokens
        ("tiny-bert-mean", lambda: BertModel(bert_config(vocab_enc), add_pooling_layer=False), "embedder", enc_tok_file,
         dict(base, pooling="mean", query_template="query: {text}", passage_template="passage: {text}", dimension=32), False, None),
        ("tiny-deberta-cls", lambda: DebertaV2Model(deberta_config(vocab_enc)), "embedder", enc_tok_file,
         dict(base, pooling="cls", query_template="Represent this sentence for searching relevant passages: {text}",
              passage_template="{text}", dimension=32), False, None),
        ("tiny-qwen3-promptriever", lambda: Qwen3Model(qwen3_config(vq, qwen_tok)), "embedder", qwen_tok_file,
         dict(base, pooling="last_token", query_template="{text}", passage_template="{text}",
              instruction_template="{text} {instruction}", append_eos=True, eos_token="<|endoftext|>", dimension=32), True, None),
        ("tiny-qwen3-embedding", lambda: Qwen3Model(qwen3_config(vq, qwen_tok)), "embedder", qwen_tok_file,
         dict(base, pooling="last_token", query_template="{text}", passage_template="{text}",
              instruction_template="Instruct: {instruction}\nQuery:{text}", append_eos=True, eos_token="<|endoftext|>",
              padding_side="left", dimension=32, truncate_dim=16), False, None),
        ("tiny-mistral-nv-retriever", lambda: MistralModel(mistral_config(vm, mistral_tok)), "embedder", mistral_tok_file,
         dict(base, pooling="prefix_mean", prefix_separator=":",
              query_template="Given a web search query, retrieve relevant passages that answer the query: {text}",
              passage_template="passage: {text}", dimension=32), False, None),
        ("tiny-bert-cross-encoder", lambda: BertForSequenceClassification(bert_config(vocab_enc, num_labels=1)), "cross_encoder",
         enc_tok_file, dict(base, pooling="cls", query_template="{text}", passage_template="{text}",
                            instruction_template="{text} {instruction}", dimension=1), False, None),
        ("tiny-qwen3-reranker", lambda: Qwen3ForCausalLM(qwen3_config(vq, qwen_tok)), "llm_reranker", qwen_tok_file,
         dict(base, pooling="last_token", query_template="{text}", passage_template="{text}", padding_side="left",
              eos_token="<|endoftext|>", prompt=qwen_reranker_prompt, dimension=2, max_length=400), False, ["yes", "no"]),
        ("tiny-mistral-followir", lambda: MistralForCausalLM(mistral_config(vm, mistral_tok)), "llm_reranker", mistral_tok_file,
         dict(base, pooling="last_token", query_template="{text}", passage_template="{text}",
              instruction_template="{text} {instruction}", padding_side="left", eos_token="</s>",
              prompt=followir_prompt, dimension=2, max_length=400), False, ["true", "false"]),
    ]
    reference = {"generator": "ops/models/make_tiny_models.py (torch %s)" % torch.__version__, "models": []}
    cli_jobs = []
    for card_id, factory, kind, tok_file, card, lora, answers in specs:
        print("building", card_id)
        model = factory().eval()
        card = dict(card, id=card_id)
        card_for_ref = dict(card, kind=kind, inputs=export.input_names(model.config, kind))
        if answers:
            card_for_ref["prompt"] = dict(card["prompt"], answer_tokens=answers)
        tok = Tokenizer.from_file(str(tok_file))
        entry = {"id": card_id, "kind": kind}
        job = None
        if card_id in CLI_EXPORTS:  # the untouched base, saved before any LoRA merge
            job = {"id": card_id, "kind": kind, "card": card, "answers": answers, "entry": entry,
                   "model": save_hf_folder(model, tok_file, work / "hf" / card_id)}
            if card_id in REMOTE_CODE:
                add_remote_code(job["model"])
        if lora:  # reference: the adapter run unmerged on the base, as PEFT runs it; the export merges it
            adapter = work / (card_id + "-adapter")
            pairs = random_lora(model, adapter, base=work / "hf" / card_id)
            entry["cases_without_adapter"] = embedder_cases(model, card_for_ref, tok)
            hooks = UnmergedLora(model, pairs)
            entry["cases"] = embedder_cases(model, card_for_ref, tok)
            hooks.remove()
            entry["lora_pairs_merged"] = export.merge_lora(model, adapter)
            if job:  # a user passes the base named in adapter_config.json
                job["adapter"] = adapter
                job["model"] = pathlib.Path(json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"])
        elif kind == "embedder":
            entry["cases"] = embedder_cases(model, card_for_ref, tok)
        elif kind == "cross_encoder":
            entry["cases"] = reranker_cases(cross_reference, model, card_for_ref, tok)
        else:
            entry["cases"] = reranker_cases(llm_reference, model, card_for_ref, tok)
        export.export(model, kind, tok_file, card, out / card_id, answers)
        reference["models"].append(entry)
        if job:
            cli_jobs.append(job)
    started = time.monotonic()
    for job in cli_jobs:
        print("exporting %s-cli through export.py's command line" % job["id"])
        command = export_through_cli(job, out, work)
        reference["models"].append(dict(job["entry"], id=job["id"] + "-cli", export_command=command))
        if job["id"] in INT8_EXPORTS:  # its reference stays the fp32 in-memory model's
            command = export_through_cli(job, out, work, "-int8-cli", ["--quantize", "int8"])
            reference["models"].append(dict(job["entry"], id=job["id"] + "-int8-cli", export_command=command))
    no_tokenizer = work / "hf" / "no-tokenizer"
    no_tokenizer.mkdir(parents=True, exist_ok=True)
    (no_tokenizer / "config.json").write_text((work / "hf" / CLI_EXPORTS[0] / "config.json").read_text())
    reference["missing_tokenizer_message"] = check_missing_tokenizer_fails(no_tokenizer, work)
    print("command-line exports: %.1f s" % (time.monotonic() - started))
    (out / "reference.json").write_text(json.dumps(reference, ensure_ascii=False) + "\n", encoding="utf-8")
    print("wrote %d models and reference.json to %s" % (len(reference["models"]), out))


if __name__ == "__main__":
    main()
