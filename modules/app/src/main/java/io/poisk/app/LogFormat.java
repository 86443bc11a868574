package io.poisk.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.poisk.core.ErrorCode;
import io.poisk.core.PoiskException;
import org.slf4j.LoggerFactory;

import java.net.URL;

/**
 * Applies {@code log.format} to Logback once the configuration is read (Logback has already started with
 * logback.xml by then): {@code text} keeps it, {@code json} reloads logback-json.xml, Logback's JsonEncoder.
 */
final class LogFormat {
    private LogFormat() {
    }

    static void apply(String format) {
        String resource = switch (format.trim()) {
            case "text" -> "logback.xml";
            case "json" -> "logback-json.xml";
            default -> throw new PoiskException(ErrorCode.BAD_REQUEST, "log.format must be text or json, got '" + format + "'");
        };
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) return; // another backend (tests): left alone
        URL config = LogFormat.class.getClassLoader().getResource(resource);
        if (config == null) throw new IllegalStateException(resource + " is missing from the classpath");
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(config);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging from " + resource, e);
        }
    }
}
