"""Search across an organisation's meetings: words (full text, stems) and meaning (sentence vectors)
over passages of each meeting's latest transcript, its minutes and its title, merged into one ranking;
and questions answered from the passages found (`ask`). See docs/search.md."""
