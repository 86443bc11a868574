package io.poisk.models;

/** The runtime that executes a card's artifact; each takes one file type. */
public enum ModelEngine implements CardValue {
    ONNX("onnx", ".onnx", "OnnxRuntime"),
    PYTORCH("pytorch", ".pt", "PyTorch");

    private final String cardName;
    private final String extension;
    private final String djlName;

    ModelEngine(String cardName, String extension, String djlName) {
        this.cardName = cardName;
        this.extension = extension;
        this.djlName = djlName;
    }

    @Override
    public String cardName() {
        return cardName;
    }

    /** The artifact's file ending: ".onnx" or ".pt". */
    public String extension() {
        return extension;
    }

    /** The engine's name in DJL's registry. */
    String djlName() {
        return djlName;
    }

    @Override
    public String toString() {
        return cardName;
    }
}
