import { IsString, Length } from 'class-validator';
import { RequestExamples } from '../../../../common/swagger/request-examples.js';

@RequestExamples<LinkIdentityDto>({
  link: {
    summary: "The code from a launch's lti_launch.link_code",
    value: { link_code: 'kqG3x9...' },
  },
})
export class LinkIdentityDto {
  /** `lti_launch.link_code` from the launch's code exchange @example kqG3x9Jd0aLmN2pQr5sT8uVw1yZ4bC7eF0hJ3kM6nP9 */
  @IsString()
  @Length(1, 100)
  link_code!: string;
}

export class LinkedIdentityDto {
  /** The LMS @example https://canvas.instructure.com */
  issuer!: string;
  /** The school the LMS belongs to (you are now its member) @example hallym_univ */
  tenant_id!: string | null;
}
