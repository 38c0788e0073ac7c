package io.postino.benchmarks;

import io.postino.smtp.CommandParser;
import io.postino.smtp.SmtpCommand;
import io.postino.smtp.SmtpException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * {@link CommandParser#parse(byte[], int, int)} on the lines a server sees most, each held in a
 * larger buffer at an offset as it would be in a connection's read buffer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CommandParserBenchmark {

  private final Line ehlo = new Line("EHLO mail.client.example.com");
  private final Line mailFrom = new Line("MAIL FROM:<sender.name@example.org> SIZE=123456 BODY=8BITMIME");
  private final Line rcptTo = new Line("RCPT TO:<recipient@example.net>");
  private final Line quotedLocalPart = new Line("RCPT TO:<\"john q. public\"@example.com>");

  /** One command line between other bytes, as the parser finds it in a read buffer. */
  private static final class Line {
    final byte[] buffer;
    final int offset;
    final int length;

    Line(String line) {
      byte[] b = line.getBytes(StandardCharsets.UTF_8);
      offset = 7;
      length = b.length;
      buffer = new byte[offset + length + 2];
      System.arraycopy(b, 0, buffer, offset, length);
      buffer[offset + length] = '\r';
      buffer[offset + length + 1] = '\n';
    }

    SmtpCommand parse() throws SmtpException {
      return CommandParser.parse(buffer, offset, length);
    }
  }

  @Benchmark
  public SmtpCommand ehlo() throws SmtpException {
    return ehlo.parse();
  }

  @Benchmark
  public SmtpCommand mailFromWithSizeAndBody() throws SmtpException {
    return mailFrom.parse();
  }

  @Benchmark
  public SmtpCommand rcptTo() throws SmtpException {
    return rcptTo.parse();
  }

  @Benchmark
  public SmtpCommand rcptToQuotedLocalPart() throws SmtpException {
    return quotedLocalPart.parse();
  }
}
