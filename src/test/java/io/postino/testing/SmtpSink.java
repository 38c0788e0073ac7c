package io.postino.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A real SMTP server (SubEthaSMTP) on 127.0.0.1, port 0, that keeps every message it takes: the
 * envelope and the exact octets after dot-unstuffing. Tests tell it to refuse recipients, to
 * answer DATA with a temporary failure a number of times, to offer STARTTLS, to require AUTH.
 */
public final class SmtpSink implements AutoCloseable {

  /**
   * One message as the sink received it.
   *
   * @param helo the name the client gave in EHLO or HELO
   */
  public record Received(String from, List<String> recipients, byte[] data, boolean tls, Object identity,
      String session, String helo) {
  }

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final Map<String, Integer> refusedRecipients = new ConcurrentHashMap<>();
  private final AtomicInteger dataFailures = new AtomicInteger();
  private final Set<String> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger transactions = new AtomicInteger();
  private volatile Predicate<List<String>> holdFor;
  private volatile CountDownLatch holding;
  private volatile CountDownLatch release;
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicInteger maxHeld = new AtomicInteger();
  private SMTPServer server;

  /** RCPT for {@code address} gets {@code code} (4xx or 5xx). */
  public SmtpSink refuse(String address, int code) {
    refusedRecipients.put(address, code);
    return this;
  }

  /** RCPT for {@code address} is accepted again. */
  public SmtpSink accept(String address) {
    refusedRecipients.remove(address);
    return this;
  }

  /** The next {@code times} messages are refused after their content with 451. */
  public SmtpSink failData(int times) {
    dataFailures.set(times);
    return this;
  }

  /**
   * Messages for {@code recipient} are read whole, then their reply waits until
   * {@link #release()}: deliveries caught between their content and their answer. Returns a
   * latch that opens when the first one is caught.
   */
  public CountDownLatch hold(String recipient) {
    return hold(recipients -> recipients.contains(recipient));
  }

  /** Like {@link #hold(String)}, for every message whose recipients match. */
  public CountDownLatch hold(Predicate<List<String>> which) {
    release = new CountDownLatch(1);
    holding = new CountDownLatch(1);
    holdFor = which;
    return holding;
  }

  /** Messages whose reply is being held now. */
  public int held() {
    return held.get();
  }

  /** The most messages held at once. */
  public int maxHeld() {
    return maxHeld.get();
  }

  /** Lets a held reply go. */
  public void release() {
    holdFor = null;
    if (release != null) {
      release.countDown();
    }
  }

  public SmtpSink start() {
    return start(SMTPServer.port(0));
  }

  /** Starts announcing SIZE {@code maxSize}. */
  public SmtpSink startSmall(int maxSize) {
    return start(SMTPServer.port(0).maxMessageSize(maxSize));
  }

  /** Starts with STARTTLS offered, not required. */
  public SmtpSink startWithTls(TestCertificate cert) {
    return start(SMTPServer.port(0).enableTLS().startTlsSocketFactory(cert.serverContext));
  }

  /** Starts with STARTTLS offered (and required before MAIL) and AUTH PLAIN/LOGIN for one user. */
  public SmtpSink startWithTlsAndAuth(TestCertificate cert, String user, String password) {
    return start(SMTPServer.port(0)
        .enableTLS()
        .requireTLS()
        .startTlsSocketFactory(cert.serverContext)
        .requireAuth()
        .authenticationHandlerFactory(new EasyAuthenticationHandlerFactory((u, p, ctx) -> {
          if (!u.equals(user) || !p.equals(password)) {
            throw new LoginFailedException();
          }
        })));
  }

  private SmtpSink start(SMTPServer.Builder builder) {
    try {
      server = builder
          .bindAddress(InetAddress.getByName("127.0.0.1"))
          .hostName("sink.test")
          .insertReceivedHeaders(false)
          .messageHandlerFactory(Handler::new)
          .build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.start();
    return this;
  }

  public boolean isRunning() {
    return server != null && server.isRunning();
  }

  public int port() {
    return server.getPortAllocated();
  }

  /** The next message received, waiting up to 20 s. */
  public Received next() throws InterruptedException {
    Received r = received.poll(20, TimeUnit.SECONDS);
    if (r == null) {
      throw new AssertionError("no message within 20 s");
    }
    return r;
  }

  /** Messages received and not taken yet. */
  public int received() {
    return received.size();
  }

  /** A message received within {@code millis}, or null. */
  public Received poll(long millis) throws InterruptedException {
    return received.poll(millis, TimeUnit.MILLISECONDS);
  }

  /** SMTP sessions that started a mail transaction. */
  public int sessions() {
    return sessions.size();
  }

  /** MAIL commands seen. */
  public int transactions() {
    return transactions.get();
  }

  @Override
  public void close() {
    release();
    if (server != null) {
      server.stop();
    }
  }

  private final class Handler implements MessageHandler {
    private final MessageContext context;
    private String from;
    private final List<String> recipients = new ArrayList<>();

    Handler(MessageContext context) {
      this.context = context;
    }

    @Override
    public void from(String from) {
      this.from = from;
      sessions.add(context.getSessionId());
      transactions.incrementAndGet();
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      Integer code = refusedRecipients.get(recipient);
      if (code != null) {
        throw new RejectException(code, (code / 100) + ".1.1 <" + recipient + ">: refused by the test");
      }
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      byte[] bytes = data.readAllBytes();
      Predicate<List<String>> hold = holdFor;
      if (hold != null && hold.test(recipients)) {
        maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
        holding.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          held.decrementAndGet();
        }
      }
      if (dataFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new RejectException(451, "4.3.0 try again later (test)");
      }
      boolean tls = context.getTlsPeerCertificates() != null
          || ((org.subethamail.smtp.server.Session) context).isTLSStarted();
      Object identity = context.getAuthenticationHandler().map(h -> h.getIdentity()).orElse(null);
      received.add(new Received(from, List.copyOf(recipients), bytes, tls, identity, context.getSessionId(),
          context.getHelo().orElse(null)));
      return null;
    }

    @Override
    public void done() {
    }
  }
}
