package io.postino;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's view of the cluster in the log: one INFO line when this node has joined (its
 * Vert.x node id, its Hazelcast and event-bus addresses, the members), and one each time a member
 * joins or leaves, with the members then. Members are named by their Hazelcast address, which is
 * what an operator can match to a host; their Vert.x node id follows when known.
 */
final class ClusterLog implements MembershipListener {

  private static final Logger log = LoggerFactory.getLogger(ClusterLog.class);
  /** The member attribute under which the Vert.x Hazelcast cluster manager publishes the node id. */
  private static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final String clusterName;
  private final HazelcastInstance hazelcast;

  private ClusterLog(String clusterName, HazelcastInstance hazelcast) {
    this.clusterName = clusterName;
    this.hazelcast = hazelcast;
  }

  /** Logs that the node joined and, from now on, every member that joins or leaves. */
  static void watch(String clusterName, HazelcastClusterManager manager) {
    HazelcastInstance hazelcast = manager.getHazelcastInstance();
    ClusterLog clusterLog = new ClusterLog(clusterName, hazelcast);
    NodeInfo bus = manager.getNodeInfo();
    log.info("cluster {}: joined as node {} (Hazelcast {}, event bus {}:{}); {}", clusterName, manager.getNodeId(),
        hazelcast.getCluster().getLocalMember().getAddress(), bus.host(), bus.port(),
        clusterLog.members(hazelcast.getCluster().getMembers()));
    hazelcast.getCluster().addMembershipListener(clusterLog);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    log.info("cluster {}: member {} joined; {}", clusterName, name(event.getMember()), members(event.getMembers()));
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    log.info("cluster {}: member {} left; {}", clusterName, name(event.getMember()), members(event.getMembers()));
  }

  private String members(Set<Member> members) {
    Member self = hazelcast.getCluster().getLocalMember();
    return members.size() + " member(s): " + members.stream()
        .map(m -> name(m) + (m.getUuid().equals(self.getUuid()) ? " (this node)" : ""))
        .collect(Collectors.joining(", "));
  }

  private static String name(Member member) {
    String nodeId = member.getAttribute(NODE_ID_ATTRIBUTE);
    return member.getAddress() + (nodeId == null ? "" : " node " + nodeId);
  }
}
