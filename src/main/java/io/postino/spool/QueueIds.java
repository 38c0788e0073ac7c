package io.postino.spool;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Queue ids: 15 characters of Crockford base 32 (digits and upper-case letters without I, L, O,
 * U). The first 12 encode the epoch milliseconds followed by a 15-bit sequence number, taken from
 * one counter for the whole JVM that never goes back: ids made on any thread are unique and sort
 * by time as plain strings (a burst beyond 32768 ids in a millisecond borrows from the next
 * millisecond rather than wrapping). The last 3 are random, so an id made by an earlier process
 * in the same millisecond, e.g. after the clock stepped back, still differs.
 */
final class QueueIds {

  private static final String DIGITS = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  private static final char[] ALPHABET = DIGITS.toCharArray();
  private static final int SEQUENCE_BITS = 15;
  private static final int TIME_AND_SEQUENCE_CHARS = 12;
  private static final int RANDOM_CHARS = 3;
  private static final AtomicLong LAST = new AtomicLong();

  /**
   * What the spool accepts as a queue id, whoever made it: it becomes a file name, so it must be
   * a single harmless path segment.
   */
  private static final Pattern ACCEPTED = Pattern.compile("[0-9A-Za-z]{1,64}");

  private QueueIds() {
  }

  static String next() {
    long now = System.currentTimeMillis() << SEQUENCE_BITS;
    long stamp = LAST.updateAndGet(last -> Math.max(now, last + 1));
    int random = ThreadLocalRandom.current().nextInt(1 << (5 * RANDOM_CHARS));
    char[] id = new char[TIME_AND_SEQUENCE_CHARS + RANDOM_CHARS];
    encode(stamp, id, 0, TIME_AND_SEQUENCE_CHARS);
    encode(random, id, TIME_AND_SEQUENCE_CHARS, RANDOM_CHARS);
    return new String(id);
  }

  static boolean isAcceptable(String id) {
    return id != null && ACCEPTED.matcher(id).matches();
  }

  /**
   * When a queue id made by {@link #next} was made, in epoch milliseconds (the sequence number's
   * borrowing may put it a little late); -1 for an id of another shape (a caller's own).
   */
  static long madeAt(String id) {
    if (id.length() != TIME_AND_SEQUENCE_CHARS + RANDOM_CHARS) {
      return -1;
    }
    long stamp = 0;
    for (int i = 0; i < TIME_AND_SEQUENCE_CHARS; i++) {
      int digit = DIGITS.indexOf(id.charAt(i));
      if (digit < 0) {
        return -1;
      }
      stamp = stamp << 5 | digit;
    }
    return stamp >>> SEQUENCE_BITS;
  }

  /** Writes the low {@code 5 * length} bits of {@code value}, most significant first. */
  private static void encode(long value, char[] out, int offset, int length) {
    for (int i = offset + length - 1; i >= offset; i--) {
      out[i] = ALPHABET[(int) (value & 31)];
      value >>>= 5;
    }
  }
}
