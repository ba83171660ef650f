"""Reading input: formats (text, HTML, JSONL, WARC), decoding, boilerplate cleaning."""
