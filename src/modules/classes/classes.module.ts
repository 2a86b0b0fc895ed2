import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module.js';
import { ClassMember } from './class-member.entity.js';
import { SchoolClass } from './class.entity.js';
import { ClassesController } from './classes.controller.js';
import { ClassesRepository } from './classes.repository.js';
import { ClassesService } from './classes.service.js';
import { MyClassesController } from './my-classes.controller.js';
import { registerErrorCodes } from '../../common/errors/error-codes.js';
import { CLASS_ERROR_CODES } from './classes.errors.js';

registerErrorCodes(CLASS_ERROR_CODES);

/** Classes and their members (/api/v1/classes, /api/v1/users/me/classes). */
@Module({
  imports: [TypeOrmModule.forFeature([SchoolClass, ClassMember]), UsersModule],
  controllers: [ClassesController, MyClassesController],
  providers: [ClassesRepository, ClassesService],
  exports: [ClassesRepository, ClassesService],
})
export class ClassesModule {}
