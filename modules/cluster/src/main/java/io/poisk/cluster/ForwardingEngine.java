package io.poisk.cluster;

import io.micrometer.core.instrument.MeterRegistry;
import io.poisk.core.Document;
import io.poisk.core.DocumentPatch;
import io.poisk.core.Similarity;
import io.poisk.engine.CollectionDescription;
import io.poisk.engine.DeadlineStats;
import io.poisk.engine.DocumentPage;
import io.poisk.engine.Engine;
import io.poisk.engine.LiveQuery;
import io.poisk.engine.LiveSearchStats;
import io.poisk.engine.QuarantineReport;
import io.poisk.engine.Readiness;
import io.poisk.engine.SearchPage;
import io.poisk.engine.SearchRequest;
import io.poisk.engine.SnapshotInfo;
import io.poisk.index.CollectionOptions;
import io.poisk.index.FieldType;
import io.poisk.models.BatcherStats;
import io.poisk.models.ModelCard;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;

/** An {@link Engine} that hands every call to another one: the base of decorators that change a few. */
abstract class ForwardingEngine implements Engine {
    protected final Engine local;

    ForwardingEngine(Engine local) {
        this.local = local;
    }

    @Override
    public CompletableFuture<Boolean> createCollection(String name, String model, CollectionOptions options) {
        return local.createCollection(name, model, options);
    }

    @Override
    public CompletableFuture<Boolean> createCollectionWithoutModel(String name, int dimension, Similarity similarity, CollectionOptions options) {
        return local.createCollectionWithoutModel(name, dimension, similarity, options);
    }

    @Override
    public CompletableFuture<Boolean> addField(String collection, String field, FieldType type) {
        return local.addField(collection, field, type);
    }

    @Override
    public CompletableFuture<List<CollectionDescription>> listCollections() {
        return local.listCollections();
    }

    @Override
    public List<String> unavailableCollections() {
        return local.unavailableCollections();
    }

    @Override
    public CompletableFuture<CollectionDescription> describeCollection(String name) {
        return local.describeCollection(name);
    }

    @Override
    public CompletableFuture<Boolean> deleteCollection(String name) {
        return local.deleteCollection(name);
    }

    @Override
    public CompletableFuture<QuarantineReport> quarantine(String name) {
        return local.quarantine(name);
    }

    @Override
    public CompletableFuture<Boolean> putAlias(String alias, String collection) {
        return local.putAlias(alias, collection);
    }

    @Override
    public CompletableFuture<String> alias(String alias) {
        return local.alias(alias);
    }

    @Override
    public CompletableFuture<SortedMap<String, String>> aliases() {
        return local.aliases();
    }

    @Override
    public CompletableFuture<Boolean> deleteAlias(String alias) {
        return local.deleteAlias(alias);
    }

    @Override
    public List<ModelCard> modelCards() {
        return local.modelCards();
    }

    @Override
    public CompletableFuture<Integer> index(String collection, List<Document> documents) {
        return local.index(collection, documents);
    }

    @Override
    public CompletableFuture<io.poisk.engine.IndexReceipt> indexWithReceipt(String collection, List<Document> documents) {
        return local.indexWithReceipt(collection, documents);
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout, Map<Integer, Long> after) {
        return local.search(collection, request, timeout, after);
    }

    @Override
    public CompletableFuture<Optional<Document>> getDocument(String collection, String id) {
        return local.getDocument(collection, id);
    }

    @Override
    public CompletableFuture<Boolean> deleteDocument(String collection, String id) {
        return local.deleteDocument(collection, id);
    }

    @Override
    public CompletableFuture<io.poisk.engine.IndexReceipt> deleteWithReceipt(String collection, String id) {
        return local.deleteWithReceipt(collection, id);
    }

    @Override
    public CompletableFuture<DocumentPage> documents(String collection, String cursor, int limit) {
        return local.documents(collection, cursor, limit);
    }

    @Override
    public CompletableFuture<List<String>> patchDocuments(String collection, List<DocumentPatch> patches) {
        return local.patchDocuments(collection, patches);
    }

    @Override
    public CompletableFuture<Long> deleteByFilter(String collection, Map<String, Object> filter) {
        return local.deleteByFilter(collection, filter);
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request) {
        return local.search(collection, request);
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request) {
        return local.searchLive(collection, request);
    }

    @Override
    public CompletableFuture<SearchPage> search(String collection, SearchRequest request, Duration timeout) {
        return local.search(collection, request, timeout);
    }

    @Override
    public LiveQuery searchLive(String collection, SearchRequest request, Duration timeout) {
        return local.searchLive(collection, request, timeout);
    }

    @Override
    public CompletableFuture<SnapshotInfo> createSnapshot(String collection) {
        return local.createSnapshot(collection);
    }

    @Override
    public CompletableFuture<List<SnapshotInfo>> snapshotAll() {
        return local.snapshotAll();
    }

    @Override
    public CompletableFuture<List<SnapshotInfo>> listSnapshots(String collection) {
        return local.listSnapshots(collection);
    }

    @Override
    public CompletableFuture<Boolean> deleteSnapshot(String collection, String id) {
        return local.deleteSnapshot(collection, id);
    }

    @Override
    public CompletableFuture<Path> snapshotArchive(String collection, String id) {
        return local.snapshotArchive(collection, id);
    }

    @Override
    public Path newUploadFile() {
        return local.newUploadFile();
    }

    @Override
    public long maxRestoreBytes() {
        return local.maxRestoreBytes();
    }

    @Override
    public CompletableFuture<CollectionDescription> restoreArchive(String name, Path archive) {
        return local.restoreArchive(name, archive);
    }

    @Override
    public CompletableFuture<CollectionDescription> restoreSnapshot(String name, String collection, String id) {
        return local.restoreSnapshot(name, collection, id);
    }

    @Override
    public DeadlineStats deadlineStats() {
        return local.deadlineStats();
    }

    @Override
    public LiveSearchStats liveStats() {
        return local.liveStats();
    }

    @Override
    public Map<String, Object> stats() {
        return local.stats();
    }

    @Override
    public MeterRegistry meterRegistry() {
        return local.meterRegistry();
    }

    @Override
    public CompletableFuture<Readiness> readiness() {
        return local.readiness();
    }

    @Override
    public BatcherStats embeddingStats(String model) {
        return local.embeddingStats(model);
    }

    @Override
    public CompletableFuture<Void> warmUp() {
        return local.warmUp();
    }

    @Override
    public void close() {
        local.close();
    }
}
