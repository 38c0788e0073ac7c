package io.postino.spool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class QueueIdsTest {

  @Test
  void idsAreShortFileNameSafeAndAcceptedByTheSpool() {
    String id = QueueIds.next();
    assertTrue(id.matches("[0-9A-HJKMNP-TV-Z]{15}"), id);
    assertTrue(QueueIds.isAcceptable(id));
  }

  @Test
  void idsFromOneThreadStrictlyIncrease() {
    String previous = QueueIds.next();
    // Far more than the 32768 sequence numbers of one millisecond.
    for (int i = 0; i < 200_000; i++) {
      String id = QueueIds.next();
      assertTrue(id.compareTo(previous) > 0, previous + " then " + id);
      previous = id;
    }
  }

  @Test
  void idsFromManyThreadsAreUnique() throws InterruptedException {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(new Thread(() -> {
        for (int i = 0; i < 25_000; i++) {
          ids.add(QueueIds.next());
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(100_000, ids.size());
  }
}
