package io.postino.queue;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Queue ids: 15 characters of Crockford base 32 (digits and upper-case letters without I, L, O,
 * U), made of the epoch milliseconds (9 characters, so ids sort by time as plain strings), a
 * counter shared by the whole JVM (3 characters: ids made in the same millisecond on different
 * threads differ and keep their order) and 3 random characters (ids made by an earlier process in
 * the same millisecond, e.g. after the clock stepped back, differ too).
 */
final class QueueIds {

  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final int TIME_CHARS = 9;
  private static final int COUNTER_CHARS = 3;
  private static final int RANDOM_CHARS = 3;
  private static final AtomicLong COUNTER = new AtomicLong();

  /**
   * What the spool accepts as a queue id, whoever made it: it becomes a file name, so it must be
   * a single harmless path segment.
   */
  private static final Pattern ACCEPTED = Pattern.compile("[0-9A-Za-z]{1,64}");

  private QueueIds() {
  }

  static String next() {
    long millis = System.currentTimeMillis();
    long count = COUNTER.getAndIncrement();
    int random = ThreadLocalRandom.current().nextInt(1 << (5 * RANDOM_CHARS));
    char[] id = new char[TIME_CHARS + COUNTER_CHARS + RANDOM_CHARS];
    encode(millis, id, 0, TIME_CHARS);
    encode(count, id, TIME_CHARS, COUNTER_CHARS);
    encode(random, id, TIME_CHARS + COUNTER_CHARS, RANDOM_CHARS);
    return new String(id);
  }

  static boolean isAcceptable(String id) {
    return id != null && ACCEPTED.matcher(id).matches();
  }

  /** Writes the low {@code 5 * length} bits of {@code value}, most significant first. */
  private static void encode(long value, char[] out, int offset, int length) {
    for (int i = offset + length - 1; i >= offset; i--) {
      out[i] = ALPHABET[(int) (value & 31)];
      value >>>= 5;
    }
  }
}
