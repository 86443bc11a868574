package io.poisk.app;

import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** Turns a failed command into one readable line (and a stack trace only for unexpected errors). */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorReporter.class);

    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PoiskException p = PoiskException.from(e);
        if (p.code() == ErrorCode.INTERNAL) {
            LOG.error("poisk {} failed", cmd.getCommandName(), e);
        } else {
            cmd.getErr().println("poisk " + cmd.getCommandName() + ": " + p.getMessage());
        }
        return p.code().httpStatus() >= 500 ? 2 : 1;
    }
}
