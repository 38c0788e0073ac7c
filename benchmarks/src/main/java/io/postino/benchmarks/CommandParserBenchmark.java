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
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link CommandParser#parse(byte[], int, int)} on the lines a server sees most, each held in a
 * larger buffer at an offset as it would be in a connection's read buffer; SMTPUTF8 addresses; and
 * a pipelined batch of commands split and parsed as the session does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CommandParserBenchmark {

  private final Line ehlo = new Line("EHLO mail.client.example.com");
  private final Line mailFrom = new Line("MAIL FROM:<sender.name@example.org> SIZE=123456 BODY=8BITMIME");
  private final Line rcptTo = new Line("RCPT TO:<recipient@example.net>");
  private final Line quotedLocalPart = new Line("RCPT TO:<\"john q. public\"@example.com>");
  private final Line smtpUtf8Sender =
      new Line("MAIL FROM:<j\u00f6rg.m\u00fcller@b\u00fccher.example> SMTPUTF8 BODY=8BITMIME");
  private final Line smtpUtf8Recipient = new Line("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>");

  /**
   * What a pipelining client sends after the 250 of a message, in one TCP segment (RFC 2920): the
   * next transaction up to DATA. Handled as the session does: find each LF, check the CR, parse.
   */
  private final byte[] batch = ("MAIL FROM:<sender.name@example.org> SIZE=123456 BODY=8BITMIME\r\n"
      + "RCPT TO:<first.recipient@example.net>\r\n"
      + "RCPT TO:<second.recipient@example.net>\r\n"
      + "RCPT TO:<\"third recipient\"@example.com>\r\n"
      + "DATA\r\n").getBytes(StandardCharsets.UTF_8);

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

  /** An internationalized (RFC 6531) sender: UTF-8 validation, then the same path parser. */
  @Benchmark
  public SmtpCommand mailFromSmtpUtf8() throws SmtpException {
    return smtpUtf8Sender.parse();
  }

  /** An internationalized recipient, all of it non-ASCII (3-octet UTF-8 sequences). */
  @Benchmark
  public SmtpCommand rcptToSmtpUtf8() throws SmtpException {
    return smtpUtf8Recipient.parse();
  }

  /**
   * A pipelined batch of five commands (MAIL, three RCPT, DATA) in one buffer. One operation is the
   * whole batch; divide by five for a command.
   */
  @Benchmark
  public void pipelinedBatch(Blackhole bh) throws SmtpException {
    byte[] b = batch;
    int pos = 0;
    while (pos < b.length) {
      int lf = pos;
      while (b[lf] != '\n') {
        lf++;
      }
      if (lf == pos || b[lf - 1] != '\r') {
        throw new IllegalStateException("bare LF in the benchmark batch");
      }
      bh.consume(CommandParser.parse(b, pos, lf - 1 - pos));
      pos = lf + 1;
    }
  }
}
