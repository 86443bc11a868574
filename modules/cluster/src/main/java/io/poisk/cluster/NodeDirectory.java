package io.poisk.cluster;

import com.hazelcast.cluster.Member;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.Map;

/**
 * Who is who in the cluster: each node publishes a small descriptor (serving node with its HTTP address, or
 * inference worker with its models) in a cluster-wide map (Vert.x shared data, a Hazelcast map), keyed by its
 * member id. When a member leaves, cleanly or not, the nodes that remain remove its entry; a reader also shows
 * only entries of current members, so a stale one is never listed.
 */
public final class NodeDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(NodeDirectory.class);
    static final String MAP = "poisk.cluster.nodes";

    private final ClusterBus bus;

    public NodeDirectory(ClusterBus bus) {
        this.bus = bus;
        bus.onMemberRemoved(id -> map().compose(m -> m.remove(id))
                .onFailure(e -> LOG.debug("removing the descriptor of member {} failed", id, e)));
    }

    /** Publishes this node's {@code descriptor} (its {@code role} and what goes with it). */
    public Future<Void> publish(JsonObject descriptor) {
        return map().compose(m -> m.put(bus.nodeId(), descriptor.copy()));
    }

    /** Every current member, ordered by address, with its descriptor ({@code role: starting} before it published one). */
    public Future<JsonArray> members() {
        return map().compose(AsyncMap::entries).map(this::join);
    }

    private JsonArray join(Map<String, JsonObject> descriptors) {
        String self = bus.nodeId();
        JsonArray members = new JsonArray();
        bus.members().stream().sorted(Comparator.comparing(m -> m.getAddress().toString())).forEach(m -> {
            String id = m.getUuid().toString();
            JsonObject published = descriptors.get(id);
            JsonObject member = new JsonObject().put("id", id).put("self", id.equals(self)).put("address", address(m));
            if (published == null) member.put("role", "starting");
            else member.mergeIn(published);
            members.add(member);
        });
        return members;
    }

    private static String address(Member m) {
        return m.getAddress().getHost() + ":" + m.getAddress().getPort();
    }

    private Future<AsyncMap<String, JsonObject>> map() {
        return bus.vertx().sharedData().getAsyncMap(MAP);
    }
}
