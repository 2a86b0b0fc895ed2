import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClassMember } from './class-member.entity.js';
import { SchoolClass } from './class.entity.js';

/** Classes and their members. The Tenants issue adds the routes; admin checks read them now. */
@Module({
  imports: [TypeOrmModule.forFeature([SchoolClass, ClassMember])],
  exports: [TypeOrmModule],
})
export class ClassesModule {}
