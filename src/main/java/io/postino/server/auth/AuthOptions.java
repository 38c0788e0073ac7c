package io.postino.server.auth;

import io.postino.config.JsonReader;
import io.postino.config.Seconds;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * SMTP AUTH options: where the users are, when AUTH is offered, and how many failures a client
 * gets. Maps onto the {@code "auth"} object of {@code conf/postino.json}; durations there are
 * seconds (fractions allowed).
 */
public final class AuthOptions {

  public static final boolean DEFAULT_ENABLED = true;
  /** Next to the spool: the file changes at run time ({@code postino users add}) like the data. */
  public static final String DEFAULT_USERS_FILE = "data/users";
  /** Passwords cross the network in the clear without TLS: AUTH is offered only over TLS. */
  public static final boolean DEFAULT_ALLOW_PLAINTEXT = false;
  public static final int DEFAULT_MAX_FAILURES_PER_SESSION = 3;
  public static final int DEFAULT_MAX_FAILURES_PER_CLIENT = 10;
  /** How long a client's failures count against it. */
  public static final Duration DEFAULT_FAILURE_WINDOW = Duration.ofMinutes(15);
  public static final boolean DEFAULT_RESTRICT_SENDER = false;
  /** As Postfix's smtpd_sasl_authenticated_header: the login name is not told to every recipient. */
  public static final boolean DEFAULT_AUTHENTICATED_HEADER = false;
  public static final Duration DEFAULT_WATCH_INTERVAL = Duration.ofSeconds(5);
  /** The bcrypt cost of {@code postino users add}: about a quarter of a second per check. */
  public static final int DEFAULT_BCRYPT_COST = 12;

  private boolean enabled = DEFAULT_ENABLED;
  private String usersFile = DEFAULT_USERS_FILE;
  private boolean allowPlaintext = DEFAULT_ALLOW_PLAINTEXT;
  private int maxFailuresPerSession = DEFAULT_MAX_FAILURES_PER_SESSION;
  private int maxFailuresPerClient = DEFAULT_MAX_FAILURES_PER_CLIENT;
  private Duration failureWindow = DEFAULT_FAILURE_WINDOW;
  private boolean restrictSender = DEFAULT_RESTRICT_SENDER;
  private boolean authenticatedHeader = DEFAULT_AUTHENTICATED_HEADER;
  private Duration watchInterval = DEFAULT_WATCH_INTERVAL;

  public AuthOptions() {
  }

  public AuthOptions(AuthOptions other) {
    this(other.toJson());
  }

  /** Reads an {@code "auth"} object on its own: unknown keys and wrong types are refused. */
  public AuthOptions(JsonObject json) {
    JsonReader reader = JsonReader.of(json, "auth");
    read(reader);
    reader.reportUnknown();
  }

  /** Reads the {@code "auth"} object of a whole configuration, whose reader reports unknown keys. */
  public AuthOptions(JsonReader json) {
    read(json);
  }

  private void read(JsonReader json) {
    setEnabled(json.bool("enabled", DEFAULT_ENABLED));
    setUsersFile(json.string("usersFile", DEFAULT_USERS_FILE));
    setAllowPlaintext(json.bool("allowPlaintext", DEFAULT_ALLOW_PLAINTEXT));
    setMaxFailuresPerSession(json.integer("maxFailuresPerSession", DEFAULT_MAX_FAILURES_PER_SESSION));
    setMaxFailuresPerClient(json.integer("maxFailuresPerClient", DEFAULT_MAX_FAILURES_PER_CLIENT));
    setFailureWindow(json.seconds("failureWindow", DEFAULT_FAILURE_WINDOW));
    setRestrictSender(json.bool("restrictSender", DEFAULT_RESTRICT_SENDER));
    setAuthenticatedHeader(json.bool("authenticatedHeader", DEFAULT_AUTHENTICATED_HEADER));
    setWatchInterval(json.seconds("watchInterval", DEFAULT_WATCH_INTERVAL));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("enabled", enabled)
        .put("usersFile", usersFile)
        .put("allowPlaintext", allowPlaintext)
        .put("maxFailuresPerSession", maxFailuresPerSession)
        .put("maxFailuresPerClient", maxFailuresPerClient)
        .put("failureWindow", Seconds.of(failureWindow))
        .put("restrictSender", restrictSender)
        .put("authenticatedHeader", authenticatedHeader)
        .put("watchInterval", Seconds.of(watchInterval));
  }

  private static int positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return value;
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** False: AUTH is neither advertised nor accepted, and the submission listeners cannot be used. */
  public AuthOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public String getUsersFile() {
    return usersFile;
  }

  /** Lines {@code name:bcrypt-hash[:address,...]}; a missing file means no users yet. */
  public AuthOptions setUsersFile(String usersFile) {
    this.usersFile = Objects.requireNonNull(usersFile, "usersFile");
    return this;
  }

  public boolean isAllowPlaintext() {
    return allowPlaintext;
  }

  /** True also offers AUTH on connections without TLS: only for clients on a trusted network path. */
  public AuthOptions setAllowPlaintext(boolean allowPlaintext) {
    this.allowPlaintext = allowPlaintext;
    return this;
  }

  public int getMaxFailuresPerSession() {
    return maxFailuresPerSession;
  }

  /** Failed attempts after which a session gets 421 and is closed. */
  public AuthOptions setMaxFailuresPerSession(int maxFailuresPerSession) {
    this.maxFailuresPerSession = positive("maxFailuresPerSession", maxFailuresPerSession);
    return this;
  }

  public int getMaxFailuresPerClient() {
    return maxFailuresPerClient;
  }

  /**
   * Failed attempts from one client address, over all its sessions, within the failure window,
   * after which its AUTH commands get 421 without any check until the window has passed.
   */
  public AuthOptions setMaxFailuresPerClient(int maxFailuresPerClient) {
    this.maxFailuresPerClient = positive("maxFailuresPerClient", maxFailuresPerClient);
    return this;
  }

  public Duration getFailureWindow() {
    return failureWindow;
  }

  public AuthOptions setFailureWindow(Duration failureWindow) {
    this.failureWindow = Seconds.positive("failureWindow", failureWindow);
    return this;
  }

  public boolean isRestrictSender() {
    return restrictSender;
  }

  /**
   * True: an authenticated client may only use its own addresses in MAIL FROM (the user's name
   * when it is an address, name@local-domain otherwise, and the addresses listed for the user).
   */
  public AuthOptions setRestrictSender(boolean restrictSender) {
    this.restrictSender = restrictSender;
    return this;
  }

  public boolean isAuthenticatedHeader() {
    return authenticatedHeader;
  }

  /**
   * True: the {@code Received:} header of a message from an authenticated client names its login
   * ({@code (Authenticated sender: name)}), for every recipient to read. Off by default.
   */
  public AuthOptions setAuthenticatedHeader(boolean authenticatedHeader) {
    this.authenticatedHeader = authenticatedHeader;
    return this;
  }

  public Duration getWatchInterval() {
    return watchInterval;
  }

  /** How often the users file is checked for changes. */
  public AuthOptions setWatchInterval(Duration watchInterval) {
    this.watchInterval = Seconds.positive("watchInterval", watchInterval);
    return this;
  }
}
