/**
 * The RAM parameter table (ram.md §6; SDK request models of @alicloud/ram20150501): the most characters of
 * every parameter of every RAM operation. Over-long → InvalidParameter.{Name}.Length, the documented pattern
 * (InvalidParameter.UserName.Length, InvalidParameter.PolicyDocument.Length, ram.md §8); a character no
 * response could carry → InvalidParameter.{Name}.InvalidChars.
 */
import { ramInvalidParameter } from '../../pop/errors';
import type { ParameterTable } from '../params';

/** Entity names (documented): users, groups and roles 1–64, policies 1–128. */
export const NAME_LENGTH = { user: 64, group: 64, role: 64, policy: 128 } as const;
/** PolicyDocument 1–6,144 characters (CreatePolicyRequest.ts); trust policies are decided to share it. */
export const MAX_POLICY_DOCUMENT = 6144;
/** Booleans, enums and numbers: longer than any valid value, so the value's own rule answers. */
const WORD = 32;

export const RAM_PARAMETERS: ParameterTable = {
  maxLength: {
    UserName: NAME_LENGTH.user, NewUserName: NAME_LENGTH.user, GroupName: NAME_LENGTH.group, NewGroupName: NAME_LENGTH.group,
    RoleName: NAME_LENGTH.role, PolicyName: NAME_LENGTH.policy,
    // documented: display names and comments 1–128, descriptions 1–1,024
    DisplayName: 128, NewDisplayName: 128, Comments: 128, NewComments: 128, Description: 1024, NewDescription: 1024,
    // decided: not documented on the international site
    Email: 128, NewEmail: 128, MobilePhone: 32, NewMobilePhone: 32,
    PolicyDocument: MAX_POLICY_DOCUMENT, AssumeRolePolicyDocument: MAX_POLICY_DOCUMENT, NewAssumeRolePolicyDocument: MAX_POLICY_DOCUMENT,
    // the opaque Marker is the base64url of a name of at most 128 characters (with its type prefix)
    Marker: 256, MaxItems: WORD, UserAccessKeyId: 64, Status: WORD, PolicyType: WORD, VersionId: WORD, RotateStrategy: 64,
    SetAsDefault: WORD, CascadingDelete: WORD, MaxSessionDuration: WORD, NewMaxSessionDuration: WORD, ResourceGroupId: 128,
    // JSON string of up to 20 tags (keys and values 128)
    Tag: 6144,
  },
  invalid(name, rule, message) {
    return ramInvalidParameter(name, rule, message);
  },
};
