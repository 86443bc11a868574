package io.poisk.server;

import io.poisk.core.PoiskConfig;

/** The size limits the HTTP API enforces on requests. */
record ApiLimits(long maxRequestBytes, int maxDocumentBytes, int maxDocumentsPerRequest) {
    static ApiLimits from(PoiskConfig config) {
        return new ApiLimits(config.longValue("max_request_bytes"), config.integer("max_document_bytes"),
                config.integer("max_documents_per_request"));
    }
}
