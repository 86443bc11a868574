#!/usr/bin/env python3
"""Prints the XQuAD (SQuAD v1.1 JSON) paragraphs as Poisk NDJSON documents, one per line.

Ids are a<article>-p<paragraph>, the ids SearchSimulation checks answers against; byte-order marks
(at the file start and inside some contexts) are removed.
"""
import json
import sys

with open(sys.argv[1], encoding="utf-8-sig") as f:
    data = json.load(f)["data"]
for a, article in enumerate(data):
    title = article.get("title", "").replace("\ufeff", "")
    for p, paragraph in enumerate(article["paragraphs"]):
        text = paragraph["context"].replace("\ufeff", "").strip()
        doc = {"id": f"a{a}-p{p}", "text": text, "fields": {"title": title}}
        print(json.dumps(doc, ensure_ascii=False))
