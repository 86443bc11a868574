package io.poisk.cluster;

import io.poisk.engine.ApiKeyStore;
import io.poisk.engine.ApiKeyStore.ApiKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * API keys that hold across the cluster: every key made or revoked on any node is a record of the log-compacted topic
 * {@value #TOPIC} (keyed by key id; its hash and scopes, never the secret; a tombstone when revoked), which every node
 * follows into its own {@link ApiKeyStore}. A key is written to the topic (acks=all) before its secret is shown, so a
 * client may use it on any node as soon as the follower there has read it (milliseconds on a healthy cluster).
 *
 * <p>Joining: when the topic already holds keys, they replace this node's (the cluster's table is the truth, so a key
 * revoked while this node was down stays revoked); when it holds none, this node's keys are published to it, which is
 * how keys made on a single node before cluster mode carry over.
 */
final class ClusterKeys implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterKeys.class);
    static final String TOPIC = "poisk.keys";

    private final ApiKeyStore store;
    /** The topic's keys by id as read before this node synchronised with it; then unused. */
    private final Map<String, ApiKey> initial = new LinkedHashMap<>();
    private boolean seenAny;
    private boolean synced;
    private CompactedTopicView view;

    private ClusterKeys(ApiKeyStore store) {
        this.store = store;
    }

    /** Reads the topic to its end, synchronises {@code store} with it and keeps both in step until closed. Blocking. */
    static ClusterKeys start(String bootstrap, ShardLog log, ApiKeyStore store) {
        ClusterKeys keys = new ClusterKeys(store);
        keys.view = CompactedTopicView.start(bootstrap, TOPIC, log, keys::changed);
        keys.sync();
        store.replicateTo(new ApiKeyStore.Replication() {
            @Override
            public void stored(ApiKey key) {
                keys.view.write(key.id(), ApiKeyStore.toBytes(key));
            }

            @Override
            public void revoked(ApiKey key) {
                keys.view.write(key.id(), null);
            }
        });
        return keys;
    }

    private synchronized void sync() {
        if (seenAny) {
            store.replaceAll(initial.values());
            LOG.info("API keys: {} from the cluster ({})", initial.size(), TOPIC);
        } else {
            for (ApiKey k : store.list()) view.write(k.id(), ApiKeyStore.toBytes(k));
            LOG.info("API keys: the cluster had none; published this node's {} to {}", store.list().size(), TOPIC);
        }
        initial.clear();
        synced = true;
    }

    /** On the topic's reader thread: before the sync into {@link #initial}, then straight into the store. */
    private synchronized void changed(String id, byte[] value) {
        seenAny = true;
        if (!synced) {
            if (value == null) initial.remove(id);
            else initial.put(id, ApiKeyStore.fromBytes(value));
            return;
        }
        if (value == null) store.applyRevoked(id);
        else store.applyStored(ApiKeyStore.fromBytes(value));
    }

    @Override
    public void close() {
        store.replicateTo(null);
        view.close();
    }
}
