package io.poisk.server.wire;

import io.poisk.core.PoiskConfig;

/** The size limits the HTTP API enforces on requests. */
public record ApiLimits(long maxRequestBytes, int maxDocumentBytes, int maxDocumentsPerRequest) {
    public static ApiLimits from(PoiskConfig config) {
        return new ApiLimits(config.longValue("max_request_bytes"), config.integer("max_document_bytes"),
                config.integer("max_documents_per_request"));
    }
}
