/**
 * Zero-configuration HTTPS (`--tls`): a local certificate authority and a server certificate for localhost,
 * 127.0.0.1 and ::1, made once in `<data>/tls/` and reused, like a development proxy's CA. Clients trust it with
 * NODE_EXTRA_CA_CERTS=<data>/tls/ca.pem (printed at start). Keys come from node:crypto; node-forge only builds
 * and signs the X.509 certificates (node:crypto cannot).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** the CA to trust (zero-configuration mode only) */
  caPath?: string;
}

const CA_VALIDITY_DAYS = 3650;
/** Browsers and Apple platforms refuse server certificates valid longer than 825 days. */
const SERVER_VALIDITY_DAYS = 825;
/** A server certificate with less than this left is made again (with the same CA). */
const RENEW_BEFORE_MS = 7 * 24 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;

function rsaKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

function serial(): string {
  return `01${crypto.randomBytes(15).toString('hex')}`; // positive, 16 bytes
}

function certificate(opts: {
  subjectCn: string; publicKeyPem: string; signerKeyPem: string; issuer?: forge.pki.Certificate; days: number; now: Date;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKeyPem);
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(opts.now.getTime() - DAY_MS);
  cert.validity.notAfter = new Date(opts.now.getTime() + opts.days * DAY_MS);
  const subject = [{ name: 'commonName', value: opts.subjectCn }, { name: 'organizationName', value: 'vcoroute (local development)' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : subject);
  cert.setExtensions(opts.extensions);
  cert.sign(forge.pki.privateKeyFromPem(opts.signerKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return cert;
}

/** The CA and server certificate in `dir`, made (or the server certificate renewed) when missing or expiring. */
export function ensureLocalCertificate(dir: string, now = new Date()): TlsMaterial & { caPath: string; created: boolean } {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: string) => path.join(dir, name);
  const write = (name: string, text: string, mode: number) => fs.writeFileSync(file(name), text, { mode });
  let created = false;

  if (!fs.existsSync(file('ca.pem')) || !fs.existsSync(file('ca-key.pem'))) {
    const keys = rsaKeyPair();
    const ca = certificate({
      subjectCn: 'vcoroute local CA', publicKeyPem: keys.publicKeyPem, signerKeyPem: keys.privateKeyPem, days: CA_VALIDITY_DAYS, now,
      extensions: [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }],
    });
    write('ca-key.pem', keys.privateKeyPem, 0o600);
    write('ca.pem', forge.pki.certificateToPem(ca), 0o644);
    fs.rmSync(file('server.pem'), { force: true });
    created = true;
  }

  const serverValid = () => {
    if (!fs.existsSync(file('server.pem')) || !fs.existsSync(file('server-key.pem'))) return false;
    return forge.pki.certificateFromPem(fs.readFileSync(file('server.pem'), 'utf8')).validity.notAfter.getTime() - now.getTime() > RENEW_BEFORE_MS;
  };
  if (!serverValid()) {
    const ca = forge.pki.certificateFromPem(fs.readFileSync(file('ca.pem'), 'utf8'));
    const keys = rsaKeyPair();
    const cert = certificate({
      subjectCn: 'localhost', publicKeyPem: keys.publicKeyPem, signerKeyPem: fs.readFileSync(file('ca-key.pem'), 'utf8'), issuer: ca,
      days: SERVER_VALIDITY_DAYS, now,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    });
    write('server-key.pem', keys.privateKeyPem, 0o600);
    write('server.pem', forge.pki.certificateToPem(cert), 0o644);
    created = true;
  }
  return { cert: fs.readFileSync(file('server.pem'), 'utf8'), key: fs.readFileSync(file('server-key.pem'), 'utf8'), caPath: file('ca.pem'), created };
}

/** Certificate and key given with --tls-cert/--tls-key. */
export function readTlsFiles(certPath: string, keyPath: string): TlsMaterial {
  return { cert: fs.readFileSync(certPath, 'utf8'), key: fs.readFileSync(keyPath, 'utf8') };
}
