import { Transform } from 'class-transformer';
import { IsString, Matches } from 'class-validator';

export class JoinClassDto {
  /**
   * The class's join code, as the teacher shows it (case and spaces do not matter)
   * @example K7PX3MWQ
   */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.replace(/\s+/g, '').toUpperCase() : value,
  )
  @IsString()
  @Matches(/^[A-Z0-9]{4,16}$/, { message: 'code must be 4–16 letters or digits' })
  code!: string;
}
