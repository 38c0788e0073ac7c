package io.postino.benchmarks;

import io.postino.smtp.DataDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link DataDecoder} on a whole DATA transfer (text lines, some dot-stuffed, then CRLF "." CRLF),
 * fed in 8 KiB chunks as a connection would read them. One operation is one message; the
 * {@code bytes} counter is the input decoded per second, to read as MB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DataDecoderBenchmark {

  private static final int CHUNK = 8 * 1024;

  /** Message size in octets, before dot-stuffing. */
  @Param({"1024", "102400", "10485760"})
  public int messageSize;

  private byte[] input;

  /** Input octets decoded, reported per second next to the messages per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Throughput {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  /** A sink that only counts, so that what is measured is the decoder. */
  private static final class CountingSink implements DataDecoder.Sink {
    long octets;

    @Override
    public void accept(byte[] bytes, int offset, int length) {
      octets += length;
    }
  }

  @Setup
  public void prepare() {
    input = message(messageSize);
  }

  @Benchmark
  public long decode(Throughput throughput) {
    DataDecoder decoder = new DataDecoder(DataDecoder.Framing.DOT_TERMINATED, DataDecoder.BareLineEndings.REJECT,
        Long.MAX_VALUE, 0);
    CountingSink sink = new CountingSink();
    for (int at = 0; at < input.length && !decoder.isComplete(); at += CHUNK) {
      decoder.decode(input, at, Math.min(CHUNK, input.length - at), sink);
    }
    if (!decoder.isComplete() || decoder.problem() != null) {
      throw new IllegalStateException("the benchmark message did not decode cleanly");
    }
    throughput.bytes += input.length;
    return sink.octets;
  }

  /** Headers, a blank line, then 76-column text with one line in ten starting with a dot. */
  static byte[] message(int size) {
    StringBuilder content = new StringBuilder(size + 100);
    content.append("From: Sender <sender@example.org>\r\n")
        .append("To: Recipient <recipient@example.net>\r\n")
        .append("Subject: A message for the benchmark\r\n")
        .append("Message-ID: <1234.5678@example.org>\r\n")
        .append("\r\n");
    String text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tem";
    for (int line = 0; content.length() < size - 2; line++) {
      String l = line % 10 == 9 ? "." + text.substring(1) : text;
      content.append(l, 0, Math.min(l.length(), Math.max(0, size - 2 - content.length()))).append("\r\n");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size + size / 50 + 3);
    byte[] b = content.toString().getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < b.length; i++) {
      boolean lineStart = i == 0 || (i >= 2 && b[i - 2] == '\r' && b[i - 1] == '\n');
      if (lineStart && b[i] == '.') {
        out.write('.');
      }
      out.write(b[i]);
    }
    out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
