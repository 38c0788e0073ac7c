package io.postino.tlspolicy;

import io.postino.config.JsonReader;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code delivery.tlsPolicy} object: which published policies outbound mail follows.
 *
 * <pre>{@code
 * "tlsPolicy": {"dane": "may", "domains": {"example.com": "dane-only"}, "mtaSts": true}
 * }</pre>
 */
public final class TlsPolicyOptions {

  /** DANE where the destination publishes it, as Postfix's {@code dane} level (it needs a validating resolver). */
  public static final TlsSettings.Dane DEFAULT_DANE = TlsSettings.Dane.MAY;
  public static final boolean DEFAULT_MTA_STS = true;
  /** The HTTPS port MTA-STS policies are fetched from: 443 (RFC 8461 section 3.3); another is for labs and tests. */
  public static final int DEFAULT_MTA_STS_PORT = 443;

  private TlsSettings.Dane dane = DEFAULT_DANE;
  private Map<String, TlsSettings.Dane> domains = Map.of();
  private boolean mtaSts = DEFAULT_MTA_STS;
  private TlsReportOptions reports = new TlsReportOptions();
  private int mtaStsPort = DEFAULT_MTA_STS_PORT;

  public TlsPolicyOptions() {
  }

  /** Reads the {@code tlsPolicy} object of the {@code delivery} options. */
  public TlsPolicyOptions(JsonReader json) {
    this.dane = TlsSettings.Dane.fromJsonName(json.string("dane", dane.jsonName()));
    JsonReader d = json.object("domains");
    Map<String, TlsSettings.Dane> map = new LinkedHashMap<>();
    for (String domain : d.fieldNames()) {
      map.put(domain.toLowerCase(Locale.ROOT), TlsSettings.Dane.fromJsonName(d.string(domain, "may")));
    }
    this.domains = Map.copyOf(map);
    this.mtaSts = json.bool("mtaSts", mtaSts);
    this.reports = json.section("reports", TlsReportOptions::new);
    setMtaStsPort(json.integer("mtaStsPort", mtaStsPort));
  }

  public TlsSettings.Dane getDane() {
    return dane;
  }

  public TlsPolicyOptions setDane(TlsSettings.Dane dane) {
    this.dane = dane;
    return this;
  }

  /** Per recipient domain, a DANE setting of its own (lower case). */
  public Map<String, TlsSettings.Dane> getDomains() {
    return domains;
  }

  public TlsPolicyOptions setDomains(Map<String, TlsSettings.Dane> domains) {
    Map<String, TlsSettings.Dane> map = new LinkedHashMap<>();
    domains.forEach((k, v) -> map.put(k.toLowerCase(Locale.ROOT), v));
    this.domains = Map.copyOf(map);
    return this;
  }

  public boolean isMtaSts() {
    return mtaSts;
  }

  public TlsPolicyOptions setMtaSts(boolean mtaSts) {
    this.mtaSts = mtaSts;
    return this;
  }

  /** The daily TLS reports (RFC 8460) this node sends. */
  public TlsReportOptions getReports() {
    return reports;
  }

  public TlsPolicyOptions setReports(TlsReportOptions reports) {
    this.reports = reports == null ? new TlsReportOptions() : reports;
    return this;
  }

  public int getMtaStsPort() {
    return mtaStsPort;
  }

  public TlsPolicyOptions setMtaStsPort(int mtaStsPort) {
    if (mtaStsPort < 1 || mtaStsPort > 65535) {
      throw new IllegalArgumentException("mtaStsPort must be a port number: " + mtaStsPort);
    }
    this.mtaStsPort = mtaStsPort;
    return this;
  }

  public JsonObject toJson() {
    JsonObject d = new JsonObject();
    domains.forEach((k, v) -> d.put(k, v.jsonName()));
    return new JsonObject().put("dane", dane.jsonName()).put("domains", d).put("mtaSts", mtaSts)
        .put("reports", reports.toJson())
        .put("mtaStsPort", mtaStsPort);
  }
}
