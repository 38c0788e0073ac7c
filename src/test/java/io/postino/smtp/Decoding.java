package io.postino.smtp;

import io.postino.smtp.DataDecoder.BareLineEndings;
import io.postino.smtp.DataDecoder.Framing;
import io.postino.smtp.DataDecoder.Problem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Test driver for {@link DataDecoder}: feeds input in given pieces as a connection would (stopping
 * at the end of data) and collects what came out. Strings are Latin-1, one char per octet.
 */
record Decoding(String output, long consumed, Problem problem, boolean complete, long size) {

  /** A decoder configuration, to run the same input several ways. */
  record Config(Framing framing, BareLineEndings policy, long maxSize, int maxLineLength) {

    static final Config DATA = new Config(Framing.DOT_TERMINATED, BareLineEndings.REJECT, Long.MAX_VALUE, 0);
    static final Config DATA_NORMALIZE =
        new Config(Framing.DOT_TERMINATED, BareLineEndings.NORMALIZE, Long.MAX_VALUE, 0);
    static final Config BDAT = new Config(Framing.CHUNKED, BareLineEndings.REJECT, Long.MAX_VALUE, 0);
    static final Config BDAT_NORMALIZE = new Config(Framing.CHUNKED, BareLineEndings.NORMALIZE, Long.MAX_VALUE, 0);

    Config withMaxSize(long max) {
      return new Config(framing, policy, max, maxLineLength);
    }

    Config withMaxLineLength(int max) {
      return new Config(framing, policy, maxSize, max);
    }

    DataDecoder decoder() {
      return new DataDecoder(framing, policy, maxSize, maxLineLength);
    }

    /** The input whole, in one call. */
    Decoding whole(String input) {
      return run(bytes(input), List.of(0));
    }

    /** The input cut at the given ascending positions. */
    Decoding split(String input, List<Integer> cuts) {
      return run(bytes(input), cuts);
    }

    Decoding byteByByte(String input) {
      byte[] in = bytes(input);
      return chunks(in, 1);
    }

    Decoding chunks(byte[] in, int chunkSize) {
      DataDecoder d = decoder();
      Collector out = new Collector();
      long consumed = 0;
      for (int at = 0; at < in.length && !d.isComplete(); at += chunkSize) {
        consumed += d.decode(in, at, Math.min(chunkSize, in.length - at), out);
      }
      return finish(d, out, consumed);
    }

    /** Pieces start at each cut (a cut at 0 or at the end gives an empty piece, also fed). */
    Decoding run(byte[] in, List<Integer> cuts) {
      DataDecoder d = decoder();
      Collector out = new Collector();
      long consumed = 0;
      int from = 0;
      for (int i = 0; i <= cuts.size() && !d.isComplete(); i++) {
        int to = i < cuts.size() ? cuts.get(i) : in.length;
        // each piece in its own array, so that nothing can be read from beyond it
        byte[] piece = new byte[to - from + 2];
        System.arraycopy(in, from, piece, 1, to - from);
        int n = d.decode(piece, 1, to - from, out);
        if (n < 0 || n > to - from || (n < to - from && !d.isComplete())) {
          throw new AssertionError("consumed " + n + " of " + (to - from));
        }
        consumed += n;
        from = to;
      }
      return finish(d, out, consumed);
    }

    private Decoding finish(DataDecoder d, Collector out, long consumed) {
      if (framing == Framing.CHUNKED) {
        d.finish(out);
      }
      if (d.consumed() != consumed) {
        throw new AssertionError("consumed() " + d.consumed() + " but decode returned " + consumed);
      }
      if (d.size() != out.size()) {
        throw new AssertionError("size() " + d.size() + " but the sink got " + out.size());
      }
      return new Decoding(out.toString(StandardCharsets.ISO_8859_1), consumed, d.problem(), d.isComplete(),
          d.size());
    }
  }

  static byte[] bytes(String latin1) {
    return latin1.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** A sink that copies, and checks that it is never handed an empty or out-of-range piece. */
  static final class Collector extends ByteArrayOutputStream implements DataDecoder.Sink {
    @Override
    public void accept(byte[] bytes, int offset, int length) {
      if (length <= 0 || offset < 0 || offset + length > bytes.length) {
        throw new AssertionError("bad range " + offset + "+" + length + " of " + bytes.length);
      }
      write(bytes, offset, length);
    }
  }
}
