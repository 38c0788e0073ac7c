package io.postino.benchmarks;

import io.postino.smtp.Replies;
import io.postino.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Reply formatting: {@link SmtpReply#encoded()} and the bytes the session writes for it
 * ({@code encoded().getBytes(UTF_8)}, as {@code SmtpSession.reply} does), for a catalogue reply
 * sent with every recipient, the multi-line EHLO reply, and the per-message "queued as" reply
 * built and encoded.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplyBenchmark {

  private final SmtpReply recipientOk = Replies.RECIPIENT_OK;
  private final SmtpReply ehlo = Replies.ehlo("mx.postino.example", List.of(
      "PIPELINING", "SIZE 52428800", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "CHUNKING"));
  private String queueId = "0MA7C2XK4Q9Z1";

  /** "250 2.1.5 Ok": one line with an enhanced status code. */
  @Benchmark
  public String encodeOneLine() {
    return recipientOk.encoded();
  }

  /** The same, to bytes: what the session appends to its output buffer for each reply. */
  @Benchmark
  public byte[] encodeOneLineToBytes() {
    return recipientOk.encoded().getBytes(StandardCharsets.UTF_8);
  }

  /** The seven-line EHLO reply, to bytes. */
  @Benchmark
  public byte[] encodeEhloToBytes() {
    return ehlo.encoded().getBytes(StandardCharsets.UTF_8);
  }

  /** "250 2.0.0 Ok: queued as ...": built for each message, then encoded to bytes. */
  @Benchmark
  public byte[] queuedReplyToBytes() {
    return Replies.queued(queueId).encoded().getBytes(StandardCharsets.UTF_8);
  }
}
