package io.postino.smtp;

import static io.postino.smtp.ReplyAssertions.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.postino.smtp.MailParameters.Body;
import io.postino.smtp.MailParameters.Ret;
import io.postino.smtp.RcptParameters.Notify;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ESMTP parameters of MAIL FROM (SIZE, BODY, SMTPUTF8, AUTH, RET, ENVID, REQUIRETLS) and RCPT TO
 * (NOTIFY, ORCPT).
 */
class EsmtpParametersTest {

  private static MailParameters mail(String params) throws SmtpException {
    return ((SmtpCommand.Mail) CommandParser.parse("MAIL FROM:<a@example.com>" + params)).parameters();
  }

  private static RcptParameters rcpt(String params) throws SmtpException {
    return ((SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:<a@example.com>" + params)).parameters();
  }

  private static MailParameters with(long size, Body body, boolean utf8, String auth, Ret ret, String envId) {
    return new MailParameters(size, body, utf8, auth, ret, envId);
  }

  @Test
  void noParameters() throws SmtpException {
    assertSame(MailParameters.NONE, mail(""));
    assertSame(MailParameters.NONE, mail("   "));
    assertSame(RcptParameters.NONE, rcpt(""));
    assertSame(RcptParameters.NONE, rcpt(" \t"));
  }

  @Test
  void size() throws SmtpException {
    assertEquals(1000, mail(" SIZE=1000").size());
    assertEquals(0, mail(" size=0").size());
    assertEquals(12, mail(" Size=0012").size());
    assertEquals(Long.MAX_VALUE, mail(" SIZE=9223372036854775807").size());
  }

  @ParameterizedTest
  @ValueSource(strings = {" SIZE=9223372036854775808", " SIZE=99999999999999999999", " SIZE=abc", " SIZE=",
      " SIZE", " SIZE=-1", " SIZE=+1", " SIZE=1k", " SIZE=1=2", " SIZE==1"})
  void badSize(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void body() throws SmtpException {
    assertEquals(Body.SEVEN_BIT, mail(" BODY=7BIT").body());
    assertEquals(Body.EIGHT_BIT_MIME, mail(" BODY=8BITMIME").body());
    assertEquals(Body.EIGHT_BIT_MIME, mail(" body=8bitmime").body());
    assertEquals(Body.BINARY_MIME, mail(" BODY=BinaryMime").body());
    assertEquals(Body.SEVEN_BIT, mail(" SIZE=1").body());
  }

  @ParameterizedTest
  @ValueSource(strings = {" BODY=9BIT", " BODY=", " BODY", " BODY=8BIT", " BODY=8BITMIMEX"})
  void badBody(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void smtpUtf8() throws SmtpException {
    assertEquals(with(-1, Body.SEVEN_BIT, true, null, null, null), mail(" SMTPUTF8"));
    assertEquals(true, mail(" smtputf8").smtpUtf8());
    assertRefused("MAIL FROM:<a@example.com> SMTPUTF8=yes", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> SMTPUTF8=", Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void requireTls() throws SmtpException {
    assertEquals(with(-1, Body.SEVEN_BIT, false, null, null, null).withRequireTls(true), mail(" REQUIRETLS"));
    assertEquals(true, mail(" requiretls").requireTls());
    assertEquals(false, mail(" SMTPUTF8").requireTls());
    MailParameters all = mail(" SIZE=10 REQUIRETLS RET=HDRS");
    assertEquals(true, all.requireTls());
    assertEquals(10, all.size());
    assertEquals(Ret.HDRS, all.ret());
    assertRefused("MAIL FROM:<a@example.com> REQUIRETLS=yes", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> REQUIRETLS=", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> REQUIRETLS REQUIRETLS", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("RCPT TO:<a@example.com> REQUIRETLS", Replies.UNSUPPORTED_PARAMETER, 555, "5.5.4");
  }

  @Test
  void auth() throws SmtpException {
    assertEquals("<>", mail(" AUTH=<>").auth());
    assertEquals("user@example.com", mail(" AUTH=user@example.com").auth());
    assertEquals("user+x@example.com", mail(" auth=user+2Bx@example.com").auth());
    assertEquals("\"a b\"@example.com", mail(" AUTH=\"a+20b\"@example.com").auth());
    assertEquals("é@example.com", mail(" AUTH=+C3+A9@example.com").auth());
  }

  @ParameterizedTest
  @ValueSource(strings = {" AUTH=a+2", " AUTH=a+", " AUTH=a+zz", " AUTH=a+0D+0Ab", " AUTH=a+00", " AUTH=a+7F",
      " AUTH=+C3", " AUTH=+FF", " AUTH=", " AUTH"})
  void badAuth(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void ret() throws SmtpException {
    assertEquals(Ret.FULL, mail(" RET=FULL").ret());
    assertEquals(Ret.HDRS, mail(" RET=HDRS").ret());
    assertEquals(Ret.HDRS, mail(" ret=hdrs").ret());
    assertRefused("MAIL FROM:<a@example.com> RET=NONE", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> RET=", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> RET", Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void envId() throws SmtpException {
    assertEquals("QQ314159", mail(" ENVID=QQ314159").envId());
    assertEquals("a+b", mail(" envid=a+2Bb").envId());
    assertRefused("MAIL FROM:<a@example.com> ENVID=a+0A", Replies.SYNTAX, 501, "5.5.4");
    assertRefused("MAIL FROM:<a@example.com> ENVID=", Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void allTogetherInAnyOrderAndSpacing() throws SmtpException {
    assertEquals(with(2048, Body.EIGHT_BIT_MIME, true, "<>", Ret.HDRS, "id1"),
        mail(" SIZE=2048 BODY=8BITMIME SMTPUTF8 AUTH=<> RET=HDRS ENVID=id1"));
    assertEquals(with(2048, Body.EIGHT_BIT_MIME, true, "<>", Ret.HDRS, "id1"),
        mail("   envid=id1  ret=hdrs auth=<>   smtputf8 body=8bitmime size=2048  "));
    assertEquals(with(2048, Body.SEVEN_BIT, false, null, null, null), mail(" SIZE=2048"));
  }

  @Test
  void nullSenderTakesParameters() throws SmtpException {
    SmtpCommand.Mail m = (SmtpCommand.Mail) CommandParser.parse("MAIL FROM:<> SIZE=10 BODY=8BITMIME");
    assertSame(MailAddress.NULL_SENDER, m.sender());
    assertEquals(with(10, Body.EIGHT_BIT_MIME, false, null, null, null), m.parameters());
  }

  @Test
  void oneSpaceAfterColonWithParameters() throws SmtpException {
    SmtpCommand.Mail m = (SmtpCommand.Mail) CommandParser.parse("MAIL FROM: <a@example.com> SIZE=10");
    assertEquals(10, m.parameters().size());
  }

  @ParameterizedTest
  @ValueSource(strings = {" SIZE=1 SIZE=2", " SIZE=1 size=1", " SMTPUTF8 SMTPUTF8", " BODY=7BIT BODY=7BIT",
      " AUTH=<> AUTH=<>", " RET=FULL RET=HDRS", " ENVID=a ENVID=b"})
  void repeatedKeywordIsASyntaxError(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {" =x", " -SIZE=1", " SI_ZE=1", " SIZE\t=1", " S\u00c9=1", " SIZE=1\tBODY=7BIT",
      " X=a\u0001"})
  void malformedParameterIsASyntaxError(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {" FOO=bar", " XFOO", " X-FOO=1", " NOTIFY=NEVER", " ORCPT=rfc822;a@example.com",
      " SIZE=1 FOO", " SIZES=1"})
  void unknownMailParameterIsUnsupported(String params) {
    assertRefused("MAIL FROM:<a@example.com>" + params, Replies.UNSUPPORTED_PARAMETER, 555, "5.5.4");
  }

  @Test
  void notifyParameter() throws SmtpException {
    assertEquals(Set.of(Notify.NEVER), rcpt(" NOTIFY=NEVER").notifications());
    assertEquals(Set.of(Notify.NEVER), rcpt(" notify=never").notifications());
    assertEquals(Set.of(Notify.SUCCESS), rcpt(" NOTIFY=SUCCESS").notifications());
    assertEquals(Set.of(Notify.SUCCESS, Notify.FAILURE), rcpt(" NOTIFY=SUCCESS,FAILURE").notifications());
    assertEquals(Set.of(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY),
        rcpt(" NOTIFY=delay,Failure,SUCCESS").notifications());
    assertEquals(Set.of(), rcpt(" ORCPT=rfc822;a@example.com").notifications());
  }

  @ParameterizedTest
  @ValueSource(strings = {" NOTIFY=NEVER,SUCCESS", " NOTIFY=SUCCESS,NEVER", " NOTIFY=", " NOTIFY",
      " NOTIFY=SUCCESS,", " NOTIFY=,SUCCESS", " NOTIFY=SUCCESS,,DELAY", " NOTIFY=FOO", " NOTIFY=SUCCESS;DELAY",
      " NOTIFY=NEVER NOTIFY=NEVER"})
  void badNotify(String params) {
    assertRefused("RCPT TO:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @Test
  void orcpt() throws SmtpException {
    assertEquals("rfc822;a@example.com", rcpt(" ORCPT=rfc822;a@example.com").orcpt());
    assertEquals("rfc822;a+b@example.com", rcpt(" orcpt=rfc822;a+2Bb@example.com").orcpt());
    assertEquals("RFC822;\"a b\"@example.com", rcpt(" ORCPT=RFC822;\"a+20b\"@example.com").orcpt());
    assertEquals("utf-8;ü@example.com", rcpt(" ORCPT=utf-8;ü@example.com").orcpt());
    assertEquals(new RcptParameters(Set.of(Notify.FAILURE), "rfc822;a@example.com"),
        rcpt(" NOTIFY=FAILURE ORCPT=rfc822;a@example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {" ORCPT=rfc822", " ORCPT=;a@example.com", " ORCPT=rfc822;", " ORCPT=",
      " ORCPT=rfc 822;a", " ORCPT=rf(c;a", " ORCPT=rfc822;a+0D+0A", " ORCPT=ü;a",
      " ORCPT=rfc822;a ORCPT=rfc822;b"})
  void badOrcpt(String params) {
    assertRefused("RCPT TO:<a@example.com>" + params, Replies.SYNTAX, 501, "5.5.4");
  }

  @ParameterizedTest
  @ValueSource(strings = {" SIZE=10", " BODY=8BITMIME", " SMTPUTF8", " FOO", " NOTIFY=NEVER XBAR=1"})
  void unknownRcptParameterIsUnsupported(String params) {
    assertRefused("RCPT TO:<a@example.com>" + params, Replies.UNSUPPORTED_PARAMETER, 555, "5.5.4");
  }

  @Test
  void postmasterTakesParameters() throws SmtpException {
    SmtpCommand.Rcpt r = (SmtpCommand.Rcpt) CommandParser.parse("RCPT TO:<postmaster> NOTIFY=NEVER");
    assertEquals(new MailAddress("postmaster", ""), r.recipient());
    assertEquals(Set.of(Notify.NEVER), r.parameters().notifications());
  }
}
