package io.poisk.eval;

import io.poisk.core.PoiskException;

import java.nio.file.Path;
import java.util.Locale;

/** The dataset formats the evaluation reads, by the names the command line accepts. */
public enum DatasetFormat {
    BEIR, SQUAD, FOLLOWIR;

    public static DatasetFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw PoiskException.badRequest("unknown dataset format '" + s + "': accepted are beir, squad, followir");
        }
    }

    /** @param path a folder for BEIR and FollowIR, a JSON file for SQuAD; {@code split} is ignored for SQuAD */
    public RetrievalDataset load(Path path, String split) {
        return switch (this) {
            case BEIR -> BeirLoader.load(path, split);
            case SQUAD -> SquadLoader.load(path);
            case FOLLOWIR -> FollowIrLoader.load(path, split);
        };
    }
}
