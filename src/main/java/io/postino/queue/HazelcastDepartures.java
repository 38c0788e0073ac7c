package io.postino.queue;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Members leaving a Hazelcast cluster, as {@link JobsInFlight} hears of them. The only class of
 * the queue that names Hazelcast: an embedding application may run without it on the class
 * path, and then this class is never loaded (see {@link JobsInFlight#start}).
 */
final class HazelcastDepartures {

  private HazelcastDepartures() {
  }

  /**
   * Calls {@code left} with the Hazelcast address of each member that leaves, on a Hazelcast
   * thread; the returned action stops that.
   */
  static Runnable watch(ClusterManager manager, Consumer<String> left) {
    HazelcastInstance hazelcast = ((HazelcastClusterManager) manager).getHazelcastInstance();
    UUID id = hazelcast.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        left.accept(event.getMember().getAddress().toString());
      }
    });
    return () -> {
      try {
        hazelcast.getCluster().removeMembershipListener(id);
      } catch (RuntimeException gone) {
        // Hazelcast already stopped (the node is leaving): the listener went with it
      }
    };
  }
}
