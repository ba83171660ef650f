"""Arabic text: normalisation, tokens, stems, stop words, language, word lists and dates."""
