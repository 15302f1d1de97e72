/**
 * Authorization stage. Today every principal is a root account, and a root account may do everything on
 * its own resources (another account's resources are invisible to it: operations answer NotFound). The
 * RAM policy engine plugs in here for RAM users and roles, using the operation's ramAction and resource.
 */
import type { Operation } from '../products/product';
import type { Principal } from './principal';

export function authorize(principal: Principal, _operation: Operation, _input: unknown): void {
  switch (principal.kind) {
    case 'root':
      return;
  }
}
