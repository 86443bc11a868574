package io.poisk.models;

/** An enum a card.json names by a lower-case string; the reader matches that string, never the Java name. */
interface CardValue {
    String cardName();
}
