package io.poisk.models;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;

import java.util.Locale;

/**
 * Where model weights run ({@code inference.device}): AUTO takes a GPU when the engine sees one (the behaviour before
 * the key existed), CPU never does, GPU insists and fails the load with a message when none is visible, rather than
 * quietly running a GPU box's work on its CPU. A GPU is visible only with the CUDA builds of the engines on the class
 * path (the models pom's {@code cuda} profile lists them).
 */
public enum InferenceDevice {
    AUTO, CPU, GPU;

    /** {@code auto}, {@code cpu} or {@code gpu}; anything else is a BAD_REQUEST naming the key. */
    public static InferenceDevice parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw PoiskException.badRequest("inference.device must be auto, cpu or gpu, got '" + value + "'");
        }
    }

    /** The DJL device for a model on {@code engine}. */
    Device resolve(Engine engine, String modelId) {
        return switch (this) {
            case CPU -> Device.cpu();
            case AUTO -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            case GPU -> {
                if (engine.getGpuCount() > 0) yield Device.gpu();
                throw new PoiskException(ErrorCode.UNAVAILABLE, "model '" + modelId + "': inference.device=gpu but the "
                        + engine.getEngineName() + " engine sees no GPU; add the CUDA artifacts (mvn -Pcuda, see the models pom)"
                        + " or set inference.device=cpu");
            }
        };
    }
}
