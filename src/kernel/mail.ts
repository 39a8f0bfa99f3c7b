/**
 * Outgoing e-mail, when an SMTP server is configured (HAVEN_SMTP_URL, HAVEN_MAIL_FROM).
 *
 * Haven's mail only ever says that something is waiting in Haven, with a link: never a name, a
 * phone number, free text or anything else about a person (mail leaves the vault's protection).
 * Callers send after their transaction has committed and never let a failure of the mail undo or
 * fail the work itself: `send` rejects, the caller logs it. See docs/decisions/0012-mail.md.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from './config.ts';

export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

const transports = new Map<string, Transporter>();

/** The mailer of this configuration, or null when no SMTP server is configured. */
export function mailerFor(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer | null {
  const url = config.smtpUrl;
  if (!url) return null;
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport({
      url,
      // A mail server that does not answer must not keep connections open for minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transports.set(url, transport);
  }
  const t = transport;
  return {
    async send(message) {
      if (!message.to.length) return;
      // One envelope per recipient: coordinators do not learn each other's addresses.
      for (const to of message.to) {
        await t.sendMail({ from: config.mailFrom, to, subject: message.subject, text: message.text });
      }
    },
  };
}
