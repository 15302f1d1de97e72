/** Who made a request, once its signature is verified. Grows with RAM users and STS sessions. */
export interface Principal {
  kind: 'root';
  accountId: string;
  accessKeyId: string;
}
