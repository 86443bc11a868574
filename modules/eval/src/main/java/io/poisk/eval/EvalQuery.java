package io.poisk.eval;

import java.util.Objects;

/**
 * One query of a dataset. {@code instruction} is the (original) instruction sent with the query, or
 * null; {@code changedInstruction} is set only in instruction-following sets (FollowIR), where the
 * query is run a second time with it.
 */
public record EvalQuery(String id, String text, String instruction, String changedInstruction) {
    public EvalQuery {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
    }

    public static EvalQuery plain(String id, String text) {
        return new EvalQuery(id, text, null, null);
    }
}
