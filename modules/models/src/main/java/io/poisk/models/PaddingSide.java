package io.poisk.models;

/** Where a batch pads shorter sequences: encoders on the right, decoders that read the last position on the left. */
public enum PaddingSide implements CardValue {
    RIGHT("right"),
    LEFT("left");

    private final String cardName;

    PaddingSide(String cardName) {
        this.cardName = cardName;
    }

    @Override
    public String cardName() {
        return cardName;
    }

    @Override
    public String toString() {
        return cardName;
    }
}
