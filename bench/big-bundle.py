#!/usr/bin/env python3
"""A large valid bundle for measuring validation and writes: one long article about Jinchang
with one investment metric per paragraph, each quoting its own sentence. The references
(`jinchang`, `investment`) are those of the bundled seed, so `check` needs
seed/01-jinchang.json before it, and a server with the seed takes it as it is.

    bench/big-bundle.py --metrics 8000 --id big-article > /tmp/big.json
"""

import argparse
import json
import sys

FILLER = (
    "园区坚持创新驱动，围绕新材料、新能源和装备制造延链补链，推动企业技术改造和数字化转型，"
    "服务保障项目落地见效。"
)


def bundle(metrics: int, source_id: str, filler: int) -> dict:
    paragraphs = []
    items = []
    for i in range(metrics):
        year = 2015 + i % 9
        value = f"{1 + i % 997}.{i % 10}"
        quote = f"第{i:06d}号示范园区{year}年完成投资{value}亿元"
        paragraphs.append(f"{quote}，{FILLER * filler}")
        items.append(
            {
                "indicator": "investment",
                "subject": {"type": "region", "id": "jinchang"},
                "value": round(float(value) * 1e8),
                "value_max": None,
                "unit": "CNY",
                "qualifier": "exact",
                "kind": "actual",
                "period": str(year),
                "original": f"{value}亿元",
                "quote": quote,
            }
        )
    return {
        "source": {
            "id": source_id,
            "title": "金昌示范园区建设综述",
            "publication": "测试日报",
            "published": "2023-04",
            "authors": [],
            "url": None,
            "text": "\n".join(paragraphs),
        },
        "metrics": items,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=int, default=8000)
    parser.add_argument("--id", default="big-article")
    parser.add_argument("--filler", type=int, default=1, help="filler sentences per paragraph")
    args = parser.parse_args()
    text = json.dumps(bundle(args.metrics, args.id, args.filler), ensure_ascii=False)
    sys.stdout.write(text)
    print(f"{len(text.encode())} bytes, {args.metrics} metrics", file=sys.stderr)


if __name__ == "__main__":
    main()
